"""memberlens core: everything but the pages (see README "Layout")."""
