BBBBBBB BBBBBBBBBBBBBBB BBBB
BBBBB BBBBB gettext(u'Record a provision') BBBBBBBB
BBBBB BBBBBBB
BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB
XXXX gettext(u'Record a provision') XXXXX
XX XXXXXXXXXXXXX gettext(u'The gate decides a provision on consent, entrustment or joint use at once. An exception (B to F) needs a written justification and the approval of another privacy administrator before anything is provided.') XXXX
XXXXX XXXXXXXXXXXXX XXXXXXXXXX XXXXXXXXXXXXXXXBBBBBBBBBB
  BBBBBBB BBBBBBBBBBBBBBBBBBBB
  XXXXXXX XXXXXXXXXXXXXX gettext(u'Submit') XXXXXXXXX
XXXXXXX
BBBBBBBB
