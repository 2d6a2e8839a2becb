# Die Texte der Web-App (de-DE). Eine Kennung mit -html am Ende ist vertrauenswürdiges Markup ohne Argumente.

## Jede Seite: Navigation und Fußzeile.

web-skip-link = Zum Inhalt springen
web-nav-label = Hauptmenü
web-nav-home = Start
web-nav-orders = Meine Bestellungen
web-nav-activity = Aktivität
web-nav-security = Sicherheit
web-nav-profile = Profil
web-nav-privacy = Datenschutz
web-sign-in = Anmelden
web-sign-out = Abmelden
web-footer = Pizza on Demand · Bestellungen bestätigt mit einem Einmalcode
web-privacy-policy = Datenschutzerklärung

## Die Startseite.

web-home-title = Start
web-home-lead = Pizza sicher per Sprache bestellen. Pod schickt Ihnen einen Einmalcode auf Ihr Handy oder per E-Mail; Sie sagen Alexa den Code, um zu bestätigen – so kann niemand in der Nähe Ihres Lautsprechers für Sie bestellen.
web-home-signed-in-html = Sie sind angemeldet. Sehen Sie sich <a href="/pod/app/orders">Ihre Bestellungen</a> an oder <a href="/pod/app/profile">wohin Ihre Codes gehen</a>.
web-home-sign-in-to = um Ihre Bestellungen zu sehen und wohin Ihre Codes gehen.
web-home-link-title = Den Skill verknüpfen
web-home-link-enable-html = Öffnen Sie die Alexa-App und aktivieren Sie den Skill <em>Pizza on Demand</em>.
web-home-link-sign-in = Melden Sie sich an, wenn Sie gefragt werden, um Ihr Konto zu verknüpfen.
web-home-link-order-html = Sagen Sie: <q>Alexa, sage pizza on demand bestelle eine große Pizza mit Salami</q>.
web-home-link-code-html = Sagen Sie den Code, den Sie erhalten: <q>Bestellung bestätigen vier zwei eins sieben</q>.
web-home-why-title = Warum ein Code?
web-home-why = Mit einem Lautsprecher kann jeder sprechen. Der Code geht an ein Handy oder Postfach, das nur Sie haben, läuft nach wenigen Minuten ab, und drei falsche Codes sperren die Bestellung.
