"""Operations: health and readiness probes for a load balancer, database backup and restore."""
