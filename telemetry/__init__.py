"""Operators' metrics in the Prometheus format: instruments the other packages update, and gauges read from
the database when /metrics is scraped."""
