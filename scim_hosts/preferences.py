"""The "SCIM Host Provisioning" section of the Preferences page."""


def register():
    pass
