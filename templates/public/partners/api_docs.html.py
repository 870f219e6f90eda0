BBBBBBB BBBBBBBBBBBBBBB BBBB
BBBBB BBBBB gettext(u'Partner API') BBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'Partner API')  XXXXXX
XX XXXXXXXXXXXXXXXXX
XXX gettext(u'Send your key as Authorization: Bearer ppk_… on every call. A key works only for its scopes; a subject you were not given is answered “not found”. Too many calls in a minute are answered 429 with Retry-After.') XXXX
XXXXX XXXXXXBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBXX gettext(u'The OpenAPI 3.1 document (JSON)') XXXXXXXX
XXXX gettext(u'Operations') XXXXX
BBB BB BB BBBBBBBBBB
XXXXXXXX XXXXXXXXXXXXX
  XXXXXXXXXX XXXXXXXXXXXX
  XXXXXXX
  BB BBBBBBBBBBBBBXXX gettext(u'Parameters:')  BBB B BB BBBBBBBBBBBBBXXXXXXXXXXXXX XBB BBBBBBBBBBX  gettext(u'required') BBBBBXBB BBB BBBBBBBBBBBBX BBBBBBBBBBBXXXXBBBBB
  BB BBBBBBBXXX gettext(u'Body:')  XX XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXBBBBB
  XXX gettext(u'Answers:')  BBB BBBBB BBBBBBBB BB BBBBBBBBBBBBXXXXXXXXXXXXXBB BBB BBBBBBBBBBBBX BBBBBBBBBBBXXXX
XXXXXXXXXX
BBBBBB
XXXX gettext(u'Schemas') XXXXX
BBB BBBBB BBBB BB BBBBBBBBBBBBBBBB
XXX XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
XXXXXXXXXXX
BBBBBB
XXXX gettext(u'Webhooks') XXXXX
XXX gettext(u'Every event of the feed is also sent to your registered HTTPS endpoints, signed as the Standard Webhooks specification describes (headers webhook-id, webhook-timestamp, webhook-signature). The webhook-id is the event id: the same change always has the same id, so ignore an id you have already seen. Failed deliveries are retried with growing pauses.') XXXX
BBBBBBBB
