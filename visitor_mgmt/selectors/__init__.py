"""Reads with rules, one module per noun (accounts, hosts and groups, visits, people, the
home page's checklist): every query is scoped to one account and sees live records only.

Views, the JSON API, the kiosk and connectors read hosts, groups and visits through these
functions, never with ``Host.objects`` directly, so tenant scoping and tombstone
visibility are decided in one place.
"""
