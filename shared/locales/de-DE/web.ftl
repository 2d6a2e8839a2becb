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

## Zeitpunkte ($time: „06:40“, in UTC; das Skript der Seite zeigt sie in der Zeitzone des Lesers).

web-date-time = { $day }. { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
} { $year }, { $time } UTC
web-clock = { $time } UTC
web-time-left-under-a-minute = in weniger als einer Minute
web-time-left-minutes = { $n ->
    [one] in { $n } Minute
   *[other] in { $n } Minuten
}

## Kontakte, maskiert.

web-contact-phone = Telefonnummer mit Endziffern { $digits }
web-contact-email = E-Mail-Adresse { $email }
web-ending-in = mit Endziffern { $digits }

## Bestellungen: die Liste, eine Bestellung und was aus ihrem Code wurde.

web-orders-title = Meine Bestellungen
web-orders-live-hint = Laden Sie die Seite neu, um Änderungen zu sehen.
web-orders-older-hint = Ältere Bestellungen.
web-orders-back-to-newest = Zurück zu Ihren neuesten Bestellungen
web-orders-older = Ältere Bestellungen
web-orders-empty = Noch keine Bestellungen. Sagen Sie zu Alexa:
web-orders-empty-example = Alexa, sage pizza on demand bestelle eine große Pizza mit Salami
web-orders-caption = Ihre Bestellungen, neueste zuerst
web-order-pizza = Pizza
web-order-total = Summe
web-order-status = Status
web-order-placed = Bestellt
web-order-code = Bestätigungscode
web-order-size = Größe
web-order-toppings = Beläge
web-order-price = Preis
web-order-price-caption = Woraus sich die Summe zusammensetzt
web-order-updated = Letzte Änderung
web-order-number = Bestellnummer
web-order-all = Alle meine Bestellungen
web-order-total-to = { $total } an { $payee }
web-total-not-recorded = nicht erfasst
web-cheese-only = nur Käse
web-line-pizza = { $size ->
    [small] kleine Pizza
    [medium] mittlere Pizza
    [large] große Pizza
   *[jumbo] Jumbo-Pizza
}
web-status-pending = Wartet auf Ihren Code
web-status-confirmed = Bestätigt
web-status-cancelled = Storniert
web-status-expired = Abgelaufen
web-status-locked = Gesperrt
web-code-note-pending = Sagen Sie Alexa den Code, um zu bestätigen.
web-code-note-confirmed = Code angenommen.
web-code-note-cancelled = Storniert oder durch eine neuere Bestellung ersetzt.
web-code-note-expired = Der Code ist abgelaufen, bevor er gesagt wurde.
web-code-note-locked = Gesperrt nach zu vielen falschen Codes.
web-code-sent = Gesendet an Ihre { $to }. Gültig bis { $expires } ({ $left }); { $n ->
    [one] noch { $n } Versuch
   *[other] noch { $n } Versuche
}.
