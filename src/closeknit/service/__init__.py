"""The one door the interfaces use: typed service functions per resource."""
