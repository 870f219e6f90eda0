"""Every write of the partners app, and the provision gate, one module per subject. Callers
import the module that holds the function (`from partners.services import gate`); this
package re-exports nothing.

`gate.provision_decide` is the one place that says whether personal data may go to a
partner (LW-4.1, LY-1, LY-6); `records.provision_record` writes the APPI Art. 29 record in
the same transaction as the provision; `records.provision` is the context manager callers
wrap a provision in, so that a failure after the record leaves neither. Consents are read
only through `consents.selectors`; the gate decides and records under
`consents.services.consent_lock`, the lock every consent change takes.
"""
