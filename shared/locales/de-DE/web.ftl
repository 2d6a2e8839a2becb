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
web-ending-in = endet auf { $digits }

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
web-your-contact = Ihre { $contact }

## Das Aktivitätsprotokoll.

web-activity-title = Aktivität
web-activity-lead = Jeder Code, den Pod für Ihr Konto gesendet hat, jeder zurückgegebene Code und jede Änderung an der Sprachbestellung, neueste zuerst. Kontakte erscheinen nur teilweise, Codes nie.
web-activity-older-hint = Ältere Einträge.
web-activity-back-to-newest = Zurück zu Ihrer neuesten Aktivität
web-activity-empty = Noch nichts hier. Sobald Pod Ihnen einen Code sendet oder jemand einen Code nennt, steht es hier.
web-activity-no-older = Keine ältere Aktivität.
web-activity-caption = Ihre Aktivität, neueste zuerst
web-activity-when = Wann
web-activity-what = Was
web-activity-from = Quelle
web-activity-older = Älter
web-activity-to-security = Sprachbestellung und Sicherheit
web-source-voice = Sprache
web-source-api = API
web-source-web = Web
web-activity-order-code-sent = Bestellcode gesendet an { $to }
web-activity-verification-code-sent = Bestätigungscode gesendet an { $to }
web-activity-wrong-code = Falscher Code genannt
web-activity-confirmed = Richtiger Code genannt: bestätigt
web-activity-order-locked = Bestellung nach zu vielen falschen Codes gesperrt
web-activity-paused-until = Sprachbestellung pausiert bis
web-activity-paused = Sprachbestellung pausiert bis { $until }
web-activity-voice-locked = Sprachbestellung gesperrt
web-activity-voice-unlocked = Sprachbestellung entsperrt
web-activity-contact-verified = Kontakt bestätigt: { $to }
web-activity-contact-changed = Kontakt geändert von { $from } zu { $to }
web-activity-alexa-linked = Alexa-Konto verknüpft
web-activity-skill-enabled = Skill in Alexa aktiviert
web-activity-permissions-changed = Berechtigungen des Skills in Alexa geändert

## Das Profil.

web-profile-title = Ihr Profil
web-profile-lead = Pod verwendet diese Kontakte nur, um Ihnen Einmalcodes zu senden, und zeigt jeweils nur einen Teil davon.
web-profile-email = E-Mail
web-profile-phone = Telefon
web-profile-codes-go-to = Codes gehen an
web-profile-none = Nicht hinterlegt
web-profile-nowhere-html = Noch nirgendwohin: Bestätigen Sie auf der Seite <a href="/pod/app/security">Sicherheit</a> eine Telefonnummer (oder Ihre E-Mail-Adresse), um per Sprache zu bestellen.
web-profile-hint = Codes gehen nur an einen bestätigten Kontakt: die Telefonnummer, die Sie auf der Seite Sicherheit bestätigt haben, sonst eine bestätigte Telefonnummer Ihres Kontos (SMS), sonst eine bestätigte E-Mail-Adresse. E-Mail ist der schwächere Kanal.
web-profile-not-verified = { $contact } (nicht bestätigt)
web-profile-verified-with-pod = { $contact } (bei Pod bestätigt)

## Sicherheit: Sprachbestellung.

web-security-title = Sicherheit
web-voice-title = Sprachbestellung
web-voice-open = Offen
web-voice-paused = Pausiert
web-voice-locked = Gesperrt
web-voice-paused-summary = Die Sprachbestellung ist nach { $failures } falschen Codes in Folge pausiert bis { $until }. Bis dahin sendet und prüft Alexa keine Codes für Ihr Konto; danach öffnet sie sich von selbst wieder. { $left ->
    [one] Noch { $left } falscher Code sperrt
   *[other] Noch { $left } falsche Codes sperren
} sie, bis Sie sie hier entsperren.
web-voice-locked-summary = Die Sprachbestellung ist seit { $since } gesperrt, nach { $lock } falschen Codes in Folge. Alexa sendet und prüft keine Codes für Ihr Konto, bis Sie sie entsperren.
web-voice-open-clean = Die Sprachbestellung ist offen. Seit dem letzten richtigen Code kein falscher Code.
web-voice-open-summary = Die Sprachbestellung ist offen. Bisher { $failures } von { $pause } falschen Codes in Folge.
web-voice-rules = { $pause } falsche Codes in Folge pausieren die Sprachbestellung für eine Weile, jede Pause länger als die letzte; { $lock } sperren sie, bis Sie sie hier entsperren. Ein richtiger Code setzt die Zählung zurück.
web-voice-unlock-hint = Entsperren Sie sie, wenn die falschen Codes von Ihnen kamen oder sobald Sie wissen, wer sie genannt hat. Das Entsperren setzt die Zählung zurück.
web-voice-unlock = Sprachbestellung entsperren
web-voice-see-activity = Ihre Aktivität ansehen
web-voice-see-activity-rest = : jeder gesendete und genannte Code und wann die Sprachbestellung pausiert, gesperrt oder entsperrt wurde.

## Sicherheit: wohin Codes gehen.

web-contact-title = Wohin Codes gehen
web-codes-go-to = Codes gehen an { $to }.
web-codes-go-to-enrolled = Codes gehen an { $to } (bei Pod bestätigt).
web-codes-go-nowhere = Codes gehen noch nirgendwohin: Pod hat keinen bestätigten Kontakt von Ihnen, daher kann Alexa Ihnen keinen Code zur Bestätigung einer Bestellung senden. Bestätigen Sie unten eine Telefonnummer.
web-contact-verified = Erledigt: Ihre { $phone } erhält jetzt Ihre Codes.
web-contact-changed-told = Erledigt: Ihre { $phone } erhält jetzt Ihre Codes. Wir haben Ihren bisherigen Kontakt über die Änderung informiert.
web-contact-changed-not-told = Erledigt: Ihre { $phone } erhält jetzt Ihre Codes. Wir konnten Ihren bisherigen Kontakt nicht über die Änderung informieren.
web-enrollment-sent = Wir haben einen Code an Ihre { $to } gesendet; er ist gültig bis { $expires } ({ $left }). Geben Sie ihn hier ein, um die Nummer zu bestätigen; bis dahin gehen Codes weiterhin dorthin, wohin sie bisher gingen.
web-enrollment-code-label = Code aus der SMS
web-tries-left = { $n ->
    [one] Noch { $n } Versuch.
   *[other] Noch { $n } Versuche.
}
web-enrollment-verify = Diese Nummer bestätigen
web-enrollment-phone-resend = Einen neuen Code senden oder eine andere Nummer verwenden
web-enrollment-phone-change = Die Telefonnummer ändern, an die Codes gehen
web-enrollment-phone-add = Eine Telefonnummer für Codes hinzufügen
web-enrollment-phone-hint = Beginnen Sie mit + und der Ländervorwahl, zum Beispiel +49 30 1234567. Pod schickt eine SMS mit einem Code an diese Nummer; Codes gehen dorthin, sobald Sie diesen Code hier eingeben.
web-enrollment-send = Code senden
web-contact-hint = Codes gehen nur an einen bestätigten Kontakt: die Telefonnummer, die Sie hier bestätigen, sonst eine bestätigte Telefonnummer Ihres Kontos, sonst eine bestätigte E-Mail-Adresse. Wenn sie umziehen, informiert Pod den Kontakt, an den sie bisher gingen.
web-your-data-title = Ihre Daten
web-your-data-html = Was Pod speichert und wie lange, steht in der <a href="/pod/app/policy">Datenschutzerklärung</a>. <a id="erase-link" href="/pod/app/security/erase">Meine Daten löschen</a>: Ihre Bestellungen, Aktivität und Kontakte, alles auf einmal.

## Was die Formulare zur Bestätigung einer Telefonnummer antworten.

web-phone-missing = Geben Sie eine Telefonnummer ein, beginnend mit + und der Ländervorwahl.
web-phone-invalid = Eine Telefonnummer muss im Format E.164 sein: „+“ und dann 8 bis 15 Ziffern.
web-code-missing = Geben Sie den Code aus der SMS ein.
web-code-invalid = Ein Code besteht aus 4 bis 10 Ziffern.
web-enrollment-paused = Die Sprachbestellung ist nach zu vielen falschen Codes pausiert bis { $until }, und bis dahin sendet und prüft Pod keine Codes für Ihr Konto, { $step ->
    [send] daher wurde kein Code gesendet
   *[check] daher wurde der Code nicht geprüft
}. Entsperren Sie sie oben, wenn die falschen Codes von Ihnen kamen.
web-enrollment-locked = Die Sprachbestellung ist nach zu vielen falschen Codes gesperrt, und Pod sendet und prüft keine Codes für Ihr Konto, bis Sie sie oben entsperren, { $step ->
    [send] daher wurde kein Code gesendet
   *[check] daher wurde der Code nicht geprüft
}.
web-enrollment-too-many-codes = Pod hat Ihnen so viele Codes gesendet, wie in einer Stunde erlaubt sind, { $step ->
    [send] daher wurde kein Code gesendet
   *[check] daher wurde der Code nicht geprüft
}. Versuchen Sie es in { $minutes } erneut.
web-enrollment-not-pending = Keine Telefonnummer wartet auf einen Code. Geben Sie unten die Telefonnummer ein, um einen neuen Code zu erhalten.
web-enrollment-expired = Dieser Code ist abgelaufen. Geben Sie unten die Telefonnummer ein, um einen neuen Code zu erhalten.
web-enrollment-attempts-exhausted = Für diese Nummer wurden zu viele falsche Codes eingegeben. Geben Sie unten die Telefonnummer ein, um einen neuen Code zu erhalten.
web-enrollment-unavailable = { $step ->
    [send] Pod konnte den Code gerade nicht senden. Versuchen Sie es gleich noch einmal.
   *[check] Pod konnte den Code gerade nicht prüfen. Versuchen Sie es gleich noch einmal.
}
web-wrong-code = Das ist nicht der Code, den wir gesendet haben.
web-wrong-code-last-try = Das war der letzte Versuch für diesen Code: Geben Sie unten die Telefonnummer ein, um einen neuen Code zu erhalten.
web-wrong-code-paused = Zu viele falsche Codes in Folge: Die Sprachbestellung ist pausiert bis { $until }, und bis dahin sendet und prüft Pod keine Codes für Ihr Konto.
web-wrong-code-locked = Zu viele falsche Codes in Folge: Die Sprachbestellung ist jetzt gesperrt, und Pod sendet und prüft keine Codes für Ihr Konto, bis Sie sie oben entsperren.
web-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}

## Fehlerseiten und die Links, die von ihnen weiterführen.

web-error-our-side = Bei uns ist etwas schiefgelaufen.
web-error-not-found-title = Nicht gefunden
web-error-not-found = Diese Seite gibt es nicht, oder Sie dürfen sie nicht sehen.
web-error-not-allowed-title = Nicht erlaubt
web-error-not-allowed = Diese Seite lässt sich so nicht verwenden.
web-error-bad-link-title = Ungültiger Link
web-error-bad-link = Dieser Seitenlink ist nicht gültig.
web-error-unavailable-title = Vorübergehend nicht verfügbar
web-error-unavailable = Pod kann diese Informationen gerade nicht abrufen. Versuchen Sie es gleich noch einmal.
web-error-unlock-refused-title = Entsperren abgelehnt
web-error-unlock-refused = Diese Anfrage zum Entsperren kam nicht von Pods eigener Seite, daher hat sich nichts geändert. Verwenden Sie die Schaltfläche „Sprachbestellung entsperren“ auf der Seite Sicherheit.
web-error-request-refused-title = Anfrage abgelehnt
web-error-erase-refused = Diese Anfrage zum Löschen Ihrer Daten kam nicht von Pods eigener Seite, daher wurde nichts gelöscht. Verwenden Sie die Schaltfläche „Meine Daten löschen“.
web-error-phone-form-refused = Diese Telefonnummer kam nicht von Pods eigener Seite, daher wurde nichts gesendet oder geändert. Verwenden Sie das Formular auf der Seite Sicherheit.
web-error-code-form-refused = Dieser Code kam nicht von Pods eigener Seite, daher wurde nichts gesendet oder geändert. Verwenden Sie das Formular auf der Seite Sicherheit.
web-error-form-too-large-title = Formular zu groß
web-error-form-too-large = Dieses Formular war größer, als Pod annimmt, daher wurde nichts gesendet oder geändert.
web-error-form-unreadable-title = Formular nicht verstanden
web-error-form-unreadable = Dieses Formular konnte nicht gelesen werden, daher wurde nichts gesendet oder geändert.
web-link-home = Zur Startseite
web-link-security = Zur Seite Sicherheit
web-link-erase = Zu „Meine Daten löschen“
web-link-newest-orders = Ihre neuesten Bestellungen
web-link-newest-activity = Ihre neueste Aktivität
web-live-signed-out = Abgemeldet.
web-live-unavailable = Bestellungen sind gerade nicht verfügbar.
web-error-sessions-unavailable = Pod kann Ihre Anmeldung gerade nicht prüfen. Versuchen Sie es gleich noch einmal.
web-error-something-title = Etwas ist schiefgelaufen
web-error-something = Bei uns ist etwas schiefgelaufen. Versuchen Sie es gleich noch einmal.

## An- und Abmelden.

web-sign-in-failed-title = Anmeldung fehlgeschlagen
web-sign-in-unreadable = Die Antwort der Anmeldung konnte nicht gelesen werden.
web-sign-in-no-state = Diese Anmeldung ist abgelaufen oder wurde in einem anderen Browser begonnen, oder Cookies sind blockiert. Pod braucht seine eigenen Cookies, um Sie anzumelden.
web-sign-in-foreign = Die Antwort der Anmeldung gehört nicht zu dieser Anmeldung.
web-sign-in-no-code = Die Antwort der Anmeldung enthält keinen Autorisierungscode.
web-sign-in-denied = Sie wurden nicht angemeldet: Die Anmeldung wurde abgebrochen oder nicht erlaubt.
web-sign-in-again = Sie müssen sich erneut anmelden.
web-sign-in-provider-refused = Der Identitätsanbieter konnte Sie nicht anmelden.
web-sign-in-unverified = Die Anmeldung konnte nicht überprüft werden.
web-sign-in-unavailable-title = Anmeldung nicht verfügbar
web-sign-in-unavailable = Pod konnte seinen Identitätsanbieter nicht erreichen. Versuchen Sie es gleich noch einmal.
web-link-sign-in-again = Erneut anmelden
web-sign-out-refused-title = Abmelden abgelehnt
web-sign-out-refused = Diese Anfrage zum Abmelden kam nicht von Pods eigener Seite, daher hat sich nichts geändert. Verwenden Sie die Schaltfläche „Abmelden“.
web-sign-out-failed-title = Abmelden fehlgeschlagen
web-sign-out-failed = Pod konnte Sie gerade nicht abmelden, daher sind Sie noch angemeldet. Versuchen Sie es gleich noch einmal.

## Meine Daten löschen, und danach.

web-erase-title = Meine Daten löschen
web-erase-lead = Damit wird alles, was Pizza on Demand über Sie speichert, auf einmal und endgültig gelöscht:
web-erase-orders = Ihre Bestellungen und die Bestellung, die auf ihren Code wartet;
web-erase-activity = Ihre Aktivität: gesendete und genannte Codes, Pausen, Sperren und Entsperrungen;
web-erase-contacts = die Telefonnummer, die Sie hier bestätigt haben, und die Kontakte aus Ihren Anmeldungen;
web-erase-counts = die Zahl der falschen Codes und die Aufzeichnung der in der letzten Stunde gesendeten Codes;
web-erase-alexa = die Einträge, die verhindern, dass Alexa eine Anfrage zweimal ausführt, und die Verknüpfung mit Ihrem Alexa-Konto;
web-erase-sessions = Ihre Anmeldungen bei dieser Web-App: Sie werden abgemeldet.
web-erase-kept = Pod behält nur einen Vermerk, dass und wann Ihre Daten gelöscht wurden, ohne Bestellung, Kontakt oder Aktivität darin. Ihr Konto beim Identitätsanbieter bleibt bestehen: Wenn Sie sich wieder anmelden oder per Sprache bestellen, beginnt alles von vorn.
web-erase-button = Meine Daten löschen
web-erase-keep = Meine Daten behalten
web-erased-title = Ihre Daten sind gelöscht
web-erased = Pizza on Demand hat Ihre Bestellungen, Aktivität, Kontakte und Anmeldungen gelöscht und Sie abgemeldet. Es behält nur einen Vermerk, dass und wann Ihre Daten gelöscht wurden.
web-erased-nothing-left = Pizza on Demand hat Ihre Bestellungen, Aktivität, Kontakte und Anmeldungen gelöscht (es war nichts mehr zu löschen) und Sie abgemeldet. Es behält nur einen Vermerk, dass und wann Ihre Daten gelöscht wurden.

## Die Datenschutzerklärung.

web-policy-lead = Pizza on Demand speichert Ihre Bestellungen (Größe, Beläge, Status und Zeiten) und verwendet die E-Mail-Adresse und Telefonnummer Ihres Kontos nur, um Ihnen Einmalcodes zur Bestätigung zu senden. Codes prüft unser Identitätsanbieter; Pod speichert oder protokolliert sie nie. Wo wir einen Kontakt anzeigen oder protokollieren, zeigen wir nur die letzten beiden Ziffern einer Telefonnummer oder den ersten Buchstaben und die Domain einer E-Mail-Adresse.
web-policy-no-sale = Wir verkaufen Ihre Daten nicht und geben sie nicht weiter. Sie können den Skill jederzeit in der Alexa-App trennen.
web-policy-kept-title = Was wir speichern, und wie lange
web-policy-kept-orders = Ihre Bestellungen, mit ihren Preisen und wohin der Code ging (maskiert): bis Sie Ihre Daten löschen. Wenn Pod die Codes selbst erzeugt, behält eine Bestellung einen mit geheimem Schlüssel gebildeten Hash ihres Codes (nie den Code selbst), solange es die Bestellung gibt.
web-policy-kept-pending = Die Bestellung, die auf ihren Code wartet: bis sie bestätigt, storniert oder abgelaufen ist, und höchstens einen Tag nach Ablauf ihres Codes.
web-policy-kept-activity = Ihre Aktivität (gesendete und genannte Codes, Pausen, Sperren, Entsperrungen, bestätigte Kontakte, verknüpftes Alexa-Konto): 400 Tage.
web-policy-kept-counts = Die Zahl der falschen Codes in Folge und die Kontakte Ihrer letzten Anmeldung: bis Sie Ihre Daten löschen.
web-policy-kept-codes = Wann Ihnen Codes gesendet wurden: eine Stunde. Eine Telefonnummer, die auf ihren Code wartet, mit einem mit geheimem Schlüssel gebildeten Hash dieses Codes: einen Tag nach Ablauf des Codes; die Telefonnummer, die Sie bestätigt haben: bis Sie Ihre Daten löschen.
web-policy-kept-alexa-requests = Einträge, die verhindern, dass Alexa eine Anfrage zweimal ausführt, mit der gegebenen Antwort: einen Tag.
web-policy-kept-sessions = Ihre Anmeldungen bei dieser Web-App: Sie enden nach 30 Minuten ohne Nutzung oder nach 8 Stunden, und der Eintrag wird einen Tag danach gelöscht.
web-policy-kept-alexa-link = Welches Alexa-Konto mit Ihrem verknüpft ist (als Digest der Kennung, die Alexa dafür verwendet): bis Sie Ihre Daten löschen oder den Skill deaktivieren, ohne die Daten zu behalten.
web-policy-delete-title = So löschen Sie Ihre Daten
web-policy-delete-lead = Jeder dieser Wege löscht alles oben Genannte auf einmal; Pod behält dann nur einen Vermerk, dass und wann Ihre Daten gelöscht wurden:
web-policy-delete-voice = per Sprache: Deaktivieren Sie den Skill in der Alexa-App und wählen Sie, Ihre Daten nicht zu behalten;
web-policy-delete-web-html = hier: <a href="/pod/app/security/erase">Meine Daten löschen</a> auf der Seite Sicherheit (angemeldet);
web-policy-delete-api-html = über die API: <code>DELETE /pod/api/me</code> mit Ihrem Zugriffstoken.

## Was das Skript der Bestellseite sagt.

web-orders-live-updating = Diese Liste aktualisiert sich von selbst.
web-orders-live-signed-out = Sie wurden abgemeldet. Laden Sie die Seite neu, um sich wieder anzumelden.
web-orders-live-new-order = Neue Bestellung:
