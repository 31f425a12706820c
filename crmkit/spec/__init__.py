"""What a table should hold and how a project is set up: the field specs of schemas/ (fields),
crmkit.toml (config), TOML reading (tomlfile) and the data shipped with crmkit (resources)."""
