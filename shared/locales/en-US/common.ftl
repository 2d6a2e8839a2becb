# Pod's words shared by the skill, the web app and the messages it sends (en-US: every message).
# How to add a message or a locale: shared/src/i18n.rs and README.md, "Locales".

## Lists: $init is the first items joined by commas, $last the last one.

list-and = { $init } and { $last }
list-or = { $init } or { $last }

## Sizes and toppings: the names people hear and read.

size-small = small
size-medium = medium
size-large = large
size-jumbo = jumbo

topping-pepperoni = pepperoni
topping-mushrooms = mushrooms
topping-onions = onions
topping-sausage = sausage
topping-bacon = bacon
topping-extra-cheese = extra cheese
topping-black-olives = black olives
topping-green-peppers = green peppers
topping-pineapple = pineapple
topping-spinach = spinach
topping-chicken = chicken

## A pizza in a sentence ($size: the size's id, small/medium/large/jumbo; $toppings: the list).

pizza-cheese = { $size ->
    [small] small
    [medium] medium
    [large] large
   *[jumbo] jumbo
} cheese pizza
pizza-with = { $size ->
    [small] small
    [medium] medium
    [large] large
   *[jumbo] jumbo
} pizza with { $toppings }

## A pizza on a receipt or in the code message ($toppings: comma separated).

items-cheese = 1 { $size ->
    [small] small
    [medium] medium
    [large] large
   *[jumbo] jumbo
} cheese pizza
items-with = 1 { $size ->
    [small] small
    [medium] medium
    [large] large
   *[jumbo] jumbo
} pizza, { $toppings }

## Money: $currency is the ISO code, $major the whole units, $minor the hundredths,
## $decimal the amount with the locale's separator ("17.50").

money-written = { $currency ->
    [GBP] £{ $decimal }
    [EUR] €{ $decimal }
    [INR] ₹{ $decimal }
    [CAD] CA${ $decimal }
    [AUD] A${ $decimal }
   *[USD] ${ $decimal }
}
money-with-code = { $decimal } { $currency }
# Spoken: Alexa reads the digits as numbers ("17 dollars 50").
money-spoken-zero = zero { $currency ->
    [GBP] pounds
    [EUR] euros
    [INR] rupees
   *[other] dollars
}
money-spoken-major = { $major } { $currency ->
    [GBP] { $major ->
        [one] pound
       *[other] pounds
    }
    [EUR] { $major ->
        [one] euro
       *[other] euros
    }
    [INR] { $major ->
        [one] rupee
       *[other] rupees
    }
   *[other] { $major ->
        [one] dollar
       *[other] dollars
    }
}
money-spoken-minor = { $minor } { $currency ->
    [GBP] { $minor ->
        [one] penny
       *[other] pence
    }
    [INR] { $minor ->
        [one] paisa
       *[other] paise
    }
   *[other] { $minor ->
        [one] cent
       *[other] cents
    }
}
# (Fluent passes no arguments to a referenced message: each form is written out.)
money-spoken-major-minor = { $major } { $currency ->
    [GBP] { $major ->
        [one] pound
       *[other] pounds
    }
    [EUR] { $major ->
        [one] euro
       *[other] euros
    }
    [INR] { $major ->
        [one] rupee
       *[other] rupees
    }
   *[other] { $major ->
        [one] dollar
       *[other] dollars
    }
} { $minor }
money-spoken-major-and-minor = { $major } { $currency ->
    [GBP] { $major ->
        [one] pound
       *[other] pounds
    }
    [EUR] { $major ->
        [one] euro
       *[other] euros
    }
    [INR] { $major ->
        [one] rupee
       *[other] rupees
    }
   *[other] { $major ->
        [one] dollar
       *[other] dollars
    }
} and { $minor } { $currency ->
    [GBP] { $minor ->
        [one] penny
       *[other] pence
    }
    [INR] { $minor ->
        [one] paisa
       *[other] paise
    }
   *[other] { $minor ->
        [one] cent
       *[other] cents
    }
}

## The receipt (the Alexa app card and the email) and the code message.

receipt-number = Order { $number } confirmed.
receipt-items = Items: { $items }.
receipt-total = Total: { $total } to { $payee }.
receipt-delivery = Delivered to the address on your account.
receipt-email-first-line = Your Pizza on Demand receipt (this is not a code).
# The SMS or email with the code: plain ASCII where the language allows (one SMS segment).
code-message = { $code } confirms { $amount } to { $payee }: { $items }. Expires in { $minutes } min.
code-message-unpriced = { $code } confirms { $items } - Pizza on Demand. Expires in { $minutes } min.
