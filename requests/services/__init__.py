"""The writes of the requests app except status changes (`requests.workflow`), one module per
subject. Callers import the module that holds the function
(`from requests.services import filing`); this package re-exports nothing.

Keyword-only, typed, each in one transaction; errors are `RequestError` with a message that
can be shown as it is.
"""
