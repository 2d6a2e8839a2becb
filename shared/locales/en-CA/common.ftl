# en-CA: what differs from en-US (the rest comes from en-US). Canadian dollars are written "$".

money-written = { $currency ->
    [GBP] £{ $decimal }
    [EUR] €{ $decimal }
    [INR] ₹{ $decimal }
    [USD] US${ $decimal }
    [AUD] A${ $decimal }
   *[CAD] ${ $decimal }
}
