"""Persistence: the document store and the seed directory.  The only
package that imports TinyDB."""

from data.snapshots import View
from data.store import Store, Transaction

__all__ = ["Store", "Transaction", "View"]
