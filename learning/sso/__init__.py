"""Sign-in with the city's identity provider (OpenID Connect; Entra ID in Malmö)."""
