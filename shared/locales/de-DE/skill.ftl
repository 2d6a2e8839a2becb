# Was der Skill sagt (de-DE, Sie-Form). Argumente wie in en-US/skill.ftl: $pizza ist eine Pizza
# im Satz nach „eine“ oder „Ihre“ („große Pizza mit Salami“).

skill-name = Pizza on Demand
skill-welcome = Willkommen bei Pizza on Demand. Sie können sagen: bestelle eine große Pizza mit Salami. Was möchten Sie?
skill-what-to-say = Sie können sagen: bestelle eine Pizza, oder: Bestellung bestätigen, und dann Ihren Code.

## Die Zusammenfassung, bevor ein Code verschickt wird.

skill-recap = Eine { $pizza } von Pizza on Demand, geliefert an die Adresse in Ihrem Konto. Soll ich Ihnen den Code schicken?
skill-recap-priced = Eine { $pizza } von Pizza on Demand, { $price }, geliefert an die Adresse in Ihrem Konto. Soll ich Ihnen den Code schicken?
skill-ask-send-code = Soll ich Ihnen den Code schicken? Bitte sagen Sie ja oder nein.
skill-what-to-change = In Ordnung, ich habe keinen Code verschickt und nichts bestellt. Was möchten Sie ändern? Sie können zum Beispiel sagen: lieber eine mittlere Pizza mit Zwiebeln.
skill-ask-what-to-change = Was möchten Sie stattdessen? Zum Beispiel: lieber eine mittlere Pizza mit Zwiebeln.
skill-lost-track = Entschuldigung, ich habe Ihre Bestellung aus den Augen verloren und deshalb nichts verschickt. Was möchten Sie bestellen?
skill-nothing-to-confirm = Gerade wartet nichts auf ein Ja. Sie können sagen: bestelle eine große Pizza mit Salami.
skill-nothing-to-refuse = In Ordnung. Was möchten Sie? Sie können sagen: bestelle eine Pizza.
skill-nothing-to-repeat = Ich habe noch nichts gesagt, was ich wiederholen könnte. Was möchten Sie?

## Stornieren.

skill-ask-cancel = Soll ich Ihre Bestellung stornieren, eine { $pizza }, die noch auf ihren Code wartet?
skill-ask-cancel-again = Soll ich Ihre Bestellung stornieren? Bitte sagen Sie ja oder nein.
skill-cancelled = In Ordnung, ich habe Ihre Bestellung storniert, eine { $pizza }. Ihr Code gilt nicht mehr.
skill-kept-order = In Ordnung, Ihre Bestellung wartet weiter auf ihren Code. Um sie zu bestätigen, sagen Sie: Bestellung bestätigen, und dann den Code.
skill-nothing-to-cancel = Keine Ihrer Bestellungen wartet auf einen Code, es gibt also nichts zu stornieren. Zum Bestellen sagen Sie: bestelle eine Pizza.
skill-cancel-too-late = Diese Bestellung wartet nicht mehr auf ihren Code, deshalb habe ich nichts storniert. Fragen Sie mich nach dem Status Ihrer Bestellung, um zu hören, wo sie ist.
skill-cancel-failed = Entschuldigung, ich konnte Ihre Bestellung gerade nicht stornieren. Sie ist unverändert; bitte versuchen Sie es gleich noch einmal.

## Der Status der letzten Bestellung ($placed, $changed: wie lange her).

skill-status-failed = Entschuldigung, ich konnte Ihre Bestellung gerade nicht nachsehen. Bitte versuchen Sie es gleich noch einmal.
skill-no-orders = Sie haben noch nichts bestellt. Zum Bestellen sagen Sie: bestelle eine Pizza.
skill-ago-now = gerade eben
skill-ago-minutes = { $n ->
    [one] vor einer Minute
   *[other] vor { $n } Minuten
}
skill-ago-hours = { $n ->
    [one] vor einer Stunde
   *[other] vor { $n } Stunden
}
skill-ago-days = { $n ->
    [one] vor einem Tag
   *[other] vor { $n } Tagen
}
skill-status-pending = Ihre letzte Bestellung, eine { $pizza }, wurde { $placed } aufgegeben und wartet auf ihren Code. Um sie zu bestätigen, sagen Sie: Bestellung bestätigen, und dann den Code.
skill-status-confirmed = Ihre letzte Bestellung, eine { $pizza }, wurde { $changed } bestätigt und ist unterwegs.
skill-status-cancelled = Ihre letzte Bestellung, eine { $pizza }, wurde { $changed } storniert.
skill-status-expired = Ihre letzte Bestellung, eine { $pizza }, wurde { $placed } aufgegeben und ist abgelaufen, bevor ihr Code genannt wurde.
skill-status-locked = Ihre letzte Bestellung, eine { $pizza }, wurde { $changed } nach zu vielen falschen Codes gesperrt.

## Hilfe, je nachdem, wo das Gespräch steht.

skill-help-recap = Ich habe Ihnen Ihre Bestellung vorgelesen und warte darauf, ob ich Ihren Bestätigungscode schicken soll. Sagen Sie ja, um ihn zu schicken, oder nein, um die Bestellung zu ändern.
skill-help-code = Ihre Bestellung wartet auf den Code, den ich Ihnen geschickt habe. Sagen Sie: Bestellung bestätigen, und dann den Code. Wenn er nicht angekommen ist, sagen Sie: schick den Code noch einmal. Um die Bestellung zu verwerfen, sagen Sie: storniere meine Bestellung.
skill-help-code-refused = Der letzte Code war nicht richtig. Sehen Sie in der neuesten Nachricht von mir nach und sagen Sie dann: Bestellung bestätigen, und dann die Ziffern. Oder sagen Sie: schick den Code noch einmal.
skill-help-cancel = Sagen Sie ja, um Ihre Bestellung zu stornieren, oder nein, um sie zu behalten.
skill-help = Zum Bestellen sagen Sie zum Beispiel: bestelle eine große Pizza mit Salami und Champignons. Ich schicke Ihnen dann einen Code auf Ihr Handy, oder per E-Mail, wenn keine Handynummer hinterlegt ist. Danach sagen Sie: Bestellung bestätigen, und dann den Code. Sie können auch fragen: wie ist der Status meiner Bestellung, oder sagen: storniere meine Bestellung. Was möchten Sie?
skill-goodbye = In Ordnung. Auf Wiederhören!
skill-fallback = Entschuldigung, dabei kann Pizza on Demand nicht helfen. Sie können eine Pizza bestellen oder eine Bestellung mit Ihrem Code bestätigen.
skill-link-account = Um bei Pizza on Demand zu bestellen, verknüpfen Sie bitte zuerst Ihr Konto. Öffnen Sie die Alexa-App; dort habe ich Ihnen eine Karte zum Verknüpfen Ihres Kontos hinterlegt.

## Größen und Beläge.

skill-ask-size = Welche Größe möchten Sie: { $sizes }?
skill-unknown-size = Entschuldigung, die Größe { $heard } haben wir nicht. Wir backen { $sizes }. Welche Größe möchten Sie?
skill-unknown-toppings = Entschuldigung, { $unknown } haben wir leider nicht. Unsere Beläge sind { $toppings }. Welche Beläge möchten Sie?
skill-ask-toppings = Welche Beläge möchten Sie? Wir haben { $toppings }.

## Der Code ($to: wohin er ging).

skill-to-phone = Ihr Handy mit der Endung { $digits }
skill-to-email = Ihre E-Mail-Adresse bei { $domain }
skill-order-placed = Ihre { $pizza } wartet auf Ihre Bestätigung.
skill-order-replaces = Sie ersetzt Ihre frühere, nicht bestätigte Bestellung, die ich storniert habe.
skill-code-sent = Ich habe einen Code an { $to } geschickt. Er gilt { $minutes ->
    [one] eine Minute
   *[other] { $minutes } Minuten
}. Zum Bestätigen sagen Sie: Bestellung bestätigen, und dann den Code.
skill-code-sent-reprompt = Zum Bestätigen sagen Sie: Bestellung bestätigen, und dann den Code, den ich an { $to } geschickt habe.
skill-code-sent-again = Ich habe einen neuen Code an { $to } geschickt, für Ihre { $pizza }. Der frühere Code gilt nicht mehr. Zum Bestätigen sagen Sie: Bestellung bestätigen, und dann den neuen Code.
skill-code-sent-again-reprompt = Zum Bestätigen sagen Sie: Bestellung bestätigen, und dann den neuen Code.
skill-order-again-for-a-code = Für diese Bestellung kann ich keinen weiteren Code schicken. Für einen neuen Code bestellen Sie einfach noch einmal: sagen Sie, bestelle eine Pizza, und ich ersetze die wartende Bestellung.
skill-resend-failed = Entschuldigung, ich konnte gerade keinen neuen Code schicken. Ihre Bestellung wartet weiter auf ihren Code; bitte versuchen Sie es gleich noch einmal.
skill-one-more-locks = Achtung: Ein weiterer falscher Code sperrt die Sprachbestellung, bis der Kontoinhaber sie in der Web-App entsperrt.

## Pausierte oder gesperrte Sprachbestellung ($how-long aus skill-for-*).

skill-for-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
skill-for-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
skill-for-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}
skill-where-to-unlock = Der Kontoinhaber kann in der Web-App von Pizza on Demand sehen, was passiert ist, und die Sprachbestellung entsperren.
skill-where-to-unlock-card = Der Kontoinhaber kann in der Web-App von Pizza on Demand sehen, was passiert ist, und die Sprachbestellung entsperren; die Adresse finden Sie auf einer Karte in Ihrer Alexa-App.
skill-blocked-paused = Die Sprachbestellung ist wegen zu vieler falscher Codes noch { $how-long } lang pausiert, deshalb kann ich gerade keinen Code schicken oder prüfen.
skill-blocked-locked = Die Sprachbestellung ist wegen zu vieler falscher Codes gesperrt, deshalb kann ich keinen Code schicken oder prüfen.
skill-wrong-code-paused = Dieser Code ist nicht richtig. Es gab zu viele falsche Codes, deshalb habe ich die Sprachbestellung zum Schutz des Kontos für { $how-long } pausiert.
skill-wrong-code-paused-told = Dieser Code ist nicht richtig. Es gab zu viele falsche Codes, deshalb habe ich die Sprachbestellung zum Schutz des Kontos für { $how-long } pausiert und den Kontoinhaber informiert.
skill-wrong-code-locked = Dieser Code ist nicht richtig. Es gab zu viele falsche Codes, deshalb habe ich die Sprachbestellung zum Schutz des Kontos gesperrt.
skill-wrong-code-locked-told = Dieser Code ist nicht richtig. Es gab zu viele falsche Codes, deshalb habe ich die Sprachbestellung zum Schutz des Kontos gesperrt und den Kontoinhaber informiert.

## Fehler und die Prüfung des Codes.

skill-no-contact = Ich kann einen Bestätigungscode nur an eine bestätigte Handynummer oder E-Mail-Adresse schicken, und Ihr Konto hat noch keine. Bitte bestätigen Sie eine Handynummer oder E-Mail-Adresse in der Web-App von Pizza on Demand und bestellen Sie dann noch einmal.
skill-no-contact-card = Die Adresse finden Sie auf einer Karte in Ihrer Alexa-App.
skill-too-many-codes = Ich habe Ihnen in der letzten Stunde schon mehrere Codes geschickt, deshalb kann ich zum Schutz Ihres Kontos noch keinen weiteren schicken. Bitte versuchen Sie es in { $minutes ->
    [one] einer Minute
   *[other] { $minutes } Minuten
} noch einmal.
skill-order-failed = Entschuldigung, ich konnte Ihren Bestätigungscode gerade nicht schicken, deshalb wurde Ihre Bestellung nicht aufgegeben. Bitte versuchen Sie es gleich noch einmal.
skill-code-missing = Ich habe keinen Code gehört. Wie lautet der Code, den ich Ihnen geschickt habe?
skill-code-not-understood = Entschuldigung, diesen Code habe ich nicht verstanden. Bitte sagen Sie die Ziffern einzeln, zum Beispiel: vier zwei eins sieben.
skill-ask-code = Wie lautet der Code, den ich Ihnen geschickt habe?
skill-confirmed = Bestellung bestätigt! Ihre { $pizza } ist unterwegs.
skill-wrong-code = Dieser Code ist nicht richtig. Sie haben noch { $tries ->
    [one] einen Versuch
   *[other] { $tries } Versuche
}. Wie lautet der Code, den ich Ihnen geschickt habe?
skill-locked = Dieser Code war zu oft falsch, deshalb habe ich diese Bestellung zum Schutz Ihres Kontos gesperrt. Für einen neuen Versuch geben Sie eine neue Bestellung auf, und ich schicke Ihnen einen neuen Code.
skill-expired = Dieser Code ist abgelaufen, die Bestellung wurde also nicht bestätigt. Bestellen Sie noch einmal, und ich schicke Ihnen einen neuen Code.
skill-no-pending-order = Keine Ihrer Bestellungen wartet auf eine Bestätigung. Zum Bestellen sagen Sie: bestelle eine Pizza.
skill-state-confirmed = Diese Bestellung ist bereits bestätigt.
skill-state-locked = Diese Bestellung ist nach zu vielen falschen Codes gesperrt. Bitte geben Sie eine neue Bestellung auf.
skill-state-expired = Der Code dieser Bestellung ist abgelaufen. Bitte geben Sie eine neue Bestellung auf.
skill-state-cancelled = Diese Bestellung wurde storniert. Bitte geben Sie eine neue Bestellung auf.
skill-state-challenge-expired = Dieser Code ist abgelaufen. Bitte geben Sie eine neue Bestellung auf.
skill-state-attempts-exhausted = Diese Bestellung ist nach zu vielen falschen Codes gesperrt.
skill-state-still-valid = Diese Bestellung wartet noch auf ihren Code.
skill-contact-changed = Ihre Handynummer oder E-Mail-Adresse hat sich geändert, seit ich den Code geschickt habe. Bitte bestellen Sie noch einmal.
skill-check-failed = Entschuldigung, ich konnte Ihren Code gerade nicht prüfen. Es wurde nichts verbraucht; bitte versuchen Sie es gleich noch einmal.
skill-still-working = Ich bearbeite diese Anfrage noch. Bitte warten Sie einen Moment und fragen Sie dann noch einmal, falls nötig.
skill-already-handled = Diese Anfrage habe ich schon bearbeitet, aber ich kann nicht wiederholen, was ich gesagt habe. Bitte fragen Sie mich noch einmal.
skill-too-slow = Entschuldigung, das hat zu lange gedauert. Bitte versuchen Sie es gleich noch einmal.
skill-one-moment = Einen Moment, ich schicke Ihnen den Code.
skill-receipt-in-app = Ihre Quittung finden Sie in der Alexa-App.
skill-receipt-card-title = Pizza on Demand: Bestellung bestätigt
skill-state-awaits-voice-pin = Diese Bestellung wird mit Ihrer Sprach-PIN bestätigt, nicht mit einem Code.

## Die Sprach-PIN (STEP_UP=voice_pin oder voice_pin_or_code): Alexas eigene PIN-Prüfung bestätigt die Bestellung.

skill-recap-voice-pin = Eine { $pizza } von Pizza on Demand, geliefert an die Adresse in Ihrem Konto. Soll ich sie bestellen? Ich frage dann nach Ihrer Sprach-PIN.
skill-recap-voice-pin-priced = Eine { $pizza } von Pizza on Demand, { $price }, geliefert an die Adresse in Ihrem Konto. Soll ich sie bestellen? Ich frage dann nach Ihrer Sprach-PIN.
skill-ask-place-with-voice-pin = Soll ich sie bestellen und nach Ihrer Sprach-PIN fragen? Bitte sagen Sie ja oder nein.
skill-voice-pin-not-confirmed = Ihre Sprach-PIN wurde nicht bestätigt, deshalb ist Ihre Bestellung nicht bestätigt. Sie haben noch { $tries ->
    [one] einen Versuch
   *[other] { $tries } Versuche
}. Soll ich noch einmal nach Ihrer Sprach-PIN fragen?
skill-ask-voice-pin-again = Soll ich noch einmal nach Ihrer Sprach-PIN fragen? Bitte sagen Sie ja oder nein.
skill-help-voice-pin-refused = Ihre Sprach-PIN wurde nicht bestätigt, Ihre Bestellung wartet deshalb. Sagen Sie ja, dann fragt Alexa noch einmal nach Ihrer Sprach-PIN, oder nein, um die Bestellung unbestätigt zu lassen.
skill-voice-pin-not-asked-again = In Ordnung. Ihre Bestellung ist nicht bestätigt und läuft in ein paar Minuten von selbst ab.
skill-voice-pin-order-gone = Diese Bestellung wartet nicht mehr auf Ihre Sprach-PIN. Zum Bestellen sagen Sie: bestelle eine Pizza.
skill-voice-pin-too-late = Ihre Bestellung ist abgelaufen, bevor Ihre Sprach-PIN geprüft wurde, deshalb wurde sie nicht bestätigt. Bitte bestellen Sie noch einmal.
skill-voice-pin-not-for-this-order = Diese Prüfung der Sprach-PIN gehörte zu keiner Ihrer Bestellungen, die auf eine Bestätigung warten, deshalb wurde nichts bestätigt.
skill-voice-pin-not-set-up = Um Bestellungen mit Ihrer Stimme zu bestätigen, richten Sie in der Alexa-App eine Stimm-ID und eine Sprach-PIN für Pizza on Demand ein und bestellen Sie dann noch einmal. Diese Bestellung habe ich nicht aufgegeben.
skill-no-voice-pin-so-a-code = Sie haben keine Sprach-PIN eingerichtet, deshalb habe ich Ihnen stattdessen einen Code geschickt.
skill-voice-pin-unchecked = Ich konnte Ihre Sprach-PIN nicht prüfen, deshalb ist Ihre Bestellung nicht bestätigt. Bitte versuchen Sie es gleich noch einmal.
