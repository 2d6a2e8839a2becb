# Pods Wörter für den Skill, die Web-App und die Nachrichten (de-DE: jede Nachricht selbst).

## Listen: $init sind die ersten Einträge mit Kommas, $last der letzte.

list-and = { $init } und { $last }
list-or = { $init } oder { $last }

## Größen und Beläge.

size-small = klein
size-medium = mittel
size-large = groß
size-jumbo = Jumbo

topping-pepperoni = Salami
topping-mushrooms = Champignons
topping-onions = Zwiebeln
topping-sausage = Salsiccia
topping-bacon = Speck
topping-extra-cheese = extra Käse
topping-black-olives = schwarze Oliven
topping-green-peppers = grüne Paprika
topping-pineapple = Ananas
topping-spinach = Spinat
topping-chicken = Hähnchen

## Eine Pizza im Satz (nach „eine“ oder „Ihre“): $size ist die Kennung der Größe.

pizza-cheese = { $size ->
    [small] kleine Pizza
    [medium] mittlere Pizza
    [large] große Pizza
   *[jumbo] Jumbo-Pizza
} Margherita
pizza-with = { $size ->
    [small] kleine Pizza
    [medium] mittlere Pizza
    [large] große Pizza
   *[jumbo] Jumbo-Pizza
} mit { $toppings }

## Eine Pizza auf der Quittung und in der Code-Nachricht.

items-cheese = 1 { $size ->
    [small] kleine Pizza
    [medium] mittlere Pizza
    [large] große Pizza
   *[jumbo] Jumbo-Pizza
} Margherita
items-with = 1 { $size ->
    [small] kleine Pizza
    [medium] mittlere Pizza
    [large] große Pizza
   *[jumbo] Jumbo-Pizza
}, { $toppings }

## Geld: $decimal mit Dezimalkomma („17,50“).

money-written = { $currency ->
    [USD] { $decimal } $
    [GBP] { $decimal } £
    [INR] { $decimal } ₹
    [CAD] { $decimal } CA$
    [AUD] { $decimal } AU$
   *[EUR] { $decimal } €
}
money-with-code = { $decimal } { $currency }
# Gesprochen: „17 Euro 50“ liest Alexa als „siebzehn Euro fünfzig“.
money-spoken-zero = null { $currency ->
    [USD] Dollar
    [CAD] Dollar
    [AUD] Dollar
    [GBP] Pfund
    [INR] Rupien
   *[EUR] Euro
}
money-spoken-major = { $major } { $currency ->
    [USD] Dollar
    [CAD] Dollar
    [AUD] Dollar
    [GBP] Pfund
    [INR] { $major ->
        [one] Rupie
       *[other] Rupien
    }
   *[EUR] Euro
}
money-spoken-minor = { $minor } { $currency ->
    [GBP] { $minor ->
        [one] Penny
       *[other] Pence
    }
    [INR] Paise
   *[other] Cent
}
money-spoken-major-minor = { $major } { $currency ->
    [USD] Dollar
    [CAD] Dollar
    [AUD] Dollar
    [GBP] Pfund
    [INR] { $major ->
        [one] Rupie
       *[other] Rupien
    }
   *[EUR] Euro
} { $minor }
money-spoken-major-and-minor = { $major } { $currency ->
    [USD] Dollar
    [CAD] Dollar
    [AUD] Dollar
    [GBP] Pfund
    [INR] { $major ->
        [one] Rupie
       *[other] Rupien
    }
   *[EUR] Euro
} und { $minor } { $currency ->
    [GBP] { $minor ->
        [one] Penny
       *[other] Pence
    }
    [INR] Paise
   *[other] Cent
}

## Die Quittung (Karte in der Alexa-App und E-Mail) und die Code-Nachricht.

receipt-number = Bestellung { $number } bestätigt.
receipt-items = Artikel: { $items }.
receipt-total = Summe: { $total } an { $payee }.
receipt-delivery = Lieferung an die Adresse in Ihrem Konto.
receipt-email-first-line = Ihre Quittung von Pizza on Demand (dies ist kein Code).
code-message = { $code } bestätigt { $amount } an { $payee }: { $items }. Gültig für { $minutes } Min.
code-message-unpriced = { $code } bestätigt { $items } - Pizza on Demand. Gültig für { $minutes } Min.
