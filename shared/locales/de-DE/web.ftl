# Die Texte der Web-App (de-DE).

web-title = Pizza on Demand
