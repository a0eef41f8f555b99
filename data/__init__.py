"""Persistence: the document store and the seed directory.  The only
package that imports TinyDB."""

from data.store import Store, Transaction, View

__all__ = ["Store", "Transaction", "View"]
