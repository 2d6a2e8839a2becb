# The web app's strings (en-US: every message).

web-title = Pizza on Demand
