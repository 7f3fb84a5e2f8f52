"""Labels of a Spark source in the app (lib/spark.py: a warehouse table kept as a dataset spark:NAME)."""

LABELS: dict[str, tuple[str, str]] = {
    "spark.label": ("{name}（Spark）", "{name} (Spark)"),
    "spark.sidebar": ("在 Spark 上计算：首次打开较慢", "Computed on Spark: slower the first time"),
    "spark.sidebar_help": (
        "这个数据集是数仓里的 Spark 表（python -m lib spark-source add 添加），分析与本地数据集用同一套 SQL，"
        "在 Spark 上运行，数字一致。首次计算需启动 Spark 并读取数据；人群包与数据导入只适用于本地数据集。",
        "This dataset is a Spark table of a warehouse (added with python -m lib spark-source add). Its analyses "
        "are the same SQL as a local dataset's, run on Spark, with the same numbers. The first view starts Spark "
        "and reads the data; saved segments and imports apply to local datasets only."),
    "spark.starting": ("正在启动 Spark 并读取数据（大表需数分钟）…", "Starting Spark and reading the data (minutes for a large table)…"),
}
