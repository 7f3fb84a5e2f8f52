"""The 5W1H page's composites: numbers built from several analyses for one question each —
why (the customer asset: historical CLV, value bands), who (high-value profile, pre-churn) and
where (acquisition vs retention, channels). The analyses never import these."""
