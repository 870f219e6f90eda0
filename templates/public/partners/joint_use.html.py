BBBBBBB BBBBBBBBBBBBBBB BBBB BBBBBBBBBBBBB
BBBBB BBBBB gettext(u'Joint use of personal data') BBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'Joint use of personal data') XXXXX
BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
XX XXXXXXXXXXXXX gettext(u'We use personal data jointly with the parties below. For each joint use we announce the data items, the scope of joint users, their purpose, and the person responsible for managing the data (Act on the Protection of Personal Information, Art. 27(5)(iii)).') XXXX
BBB BBBBBBBBBBB BB BBBBBBBBBBBB
XXXXXXXX XXXXXXXXXXXX XXXXXXXXXXXXXXXX
  XXXXXXXXX
  XXXX
    XXXX gettext(u'Data items used jointly') XXXXXXXXXFFFFFFFXXXXX
    XXXX gettext(u'Scope of joint users') XXXXXXXXXFFFFFFFFFFFFXXXXX
    XXXX gettext(u'Purpose of the joint users') XXXXXXXXXFFFFFFFFFFFFXXXXX
    XXXX gettext(u'Person responsible for managing the data') XXXXX
    XXXXXXXXBB BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBXXXX gettext(u'Representative:')  BBBBBXXXXX
    BB BBBBBBBBBBBBBBBBBBBBBBBBBXXXX gettext(u'Your consent') XXXXXXXX XXXXXXXXXXXXXXXXXXXXXX gettext(u'Only with your consent: you can refuse it on your consent page.') XXXXXBBBBB
    XXXX gettext(u'Since') XXXXXXXXXFFFFFFFFFFFFBB BBBBBBBBBBBBBBBBBBB X FFFFFFFFFFFFBBBBBXXXXX
  XXXXX
XXXXXXXXXX
BBBBB
XXX gettext(u'There is no joint use at present.') XXXX
BBBBBB
BBBBBBBB
