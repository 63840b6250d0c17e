"""Shoppers' data rights: export everything held about one shopper, erase it from every store, retention."""
