"""The channels: Slack, the terminal shell, and the ``python -m bot`` entry
point that runs them over the API app."""
