BBBBBBB BBBBBBBBBBBBBBB BBBB
BBBBB BBBBB gettext(u'Confirm for %(partner)s') SSSSSSS SSS SSSSSSSSSSSBBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'Confirm for %(partner)s') SSSSSSS SSS SSSSSSSSSSSXXXXX
BB BBB BBBBBBBBBBBB
XXX gettext(u'This company has no shared use that starts with your confirmation.') XXXX
BBBB
BBB BBBBBBBBBBB BB BBBBBBBBBBBB
XXXXXXXX XXXXXXXXXXXXX
  XXXXXXXXX
  XXX gettext(u'When:')  XXXX
  XXX gettext(u'What is shared:')  FFFFFFF FXXXX
XXXXXXXXXX
BBBBBB
BB BBBB
XXXX XXXXXXXXXXXXXX XXXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXXXXX
  XXX gettext(u'Enter this code where the company asks for it. It works once, until:')  FFFFFFFFFFF FFFFXXXX
  XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
XXXXXX
BBBB
BB BBBBBXXXX XXXXXXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXBBBBB
XXX gettext(u'The company then knows you by an identifier of its own, never by your account number. What it may receive is decided each time by your consents.') XXXX
XXXXX XXXXXXXXXXXXXXBBBBBBBBBBXXXXXXX XXXXXXXXXXXXXX gettext(u'Make a one-time code') XXXXXXXXXXXXXXXX
BBBBB
BBBBB
BBBBBBBB
