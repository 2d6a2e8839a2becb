# en-IN: what differs from en-GB (the rest comes from en-GB, then en-US).

# Pod's whole menu is priced in rupees; a price is said without paise when it has none.
