# en-AU: what differs from en-GB (the rest comes from en-GB, then en-US). Australian dollars are written "$".

money-written = { $currency ->
    [GBP] £{ $decimal }
    [EUR] €{ $decimal }
    [INR] ₹{ $decimal }
    [USD] US${ $decimal }
    [CAD] CA${ $decimal }
   *[AUD] ${ $decimal }
}
