BBBBBBB BBBBBBBBBBBBBBB BBBB
BBBBB BBBBB gettext(u'De-identified exports') BBBBBBBB
BBBBB BBBBBBB
BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB
XXXX gettext(u'De-identified exports') XXXXX
XX XXXXXXXXXXXXX gettext(u"An export carries only customers who consented to the purpose, without names, addresses, contact details, detailed location or message contents; location is kept to the prefecture and each customer appears under a pseudonym that only this partner's key produces (LY-5). Each exported customer gets a provision record.") XXXX
XXXXX XXXXXXXXXXXXX XXXXXXXXXX XXXXXXXXXXXXXXXBBBBBBBBBB
  BBBBBBB BBBBBBBBBBBBBBBBBBBB
  XXXXXXX XXXXXXXXXXXXXX gettext(u'Start the export') XXXXXXXXX
XXXXXXX
XXXX gettext(u'Recent exports') XXXXX
XXXXXX XXXXXXXXXXXXX XXXXXXXXXXXXX
  XXXXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXXX XXXXXXXXXXXX gettext(u'Partner') XXXXXXXX XXXXXXXXXXXX gettext(u'Purpose') XXXXXXXX XXXXXXXXXXXX gettext(u'Started by') XXXXXXXX XXXXXXXXXXXX gettext(u'Status') XXXXXXXX XXXXXXXXXXXX gettext(u'Rows') XXXXXXXXXXXXXXXXXX
  XXXXXXX
  BBB BBBBBB BB BBBBBBB
    XXXXXXXXXX XXXXXXBBB BBBBBBBBBBBBBBBBBBBBBBB BBBBBBBBBXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX X FFFFFFFFFFF FFFFXXXXXXXXXXXXXXXXXXXXXXXXXXXX
  BBBBB
    XXXXXXX XXXXXXXXXXXX gettext(u'No exports yet.') XXXXXXXXXX
  BBBBBB
  XXXXXXXX
XXXXXXXX
BBBBBBBB
