"""Who may call /scim/v2/: the account's SCIM token (tokens.py: issue, rotate, retire,
look up) and the request's credentials (bearer.py: Bearer or Basic header → account)."""
