"""Shopper satisfaction: the 1-5 question after a ticket closes (or, if the shop wants, after the assistant
resolved a conversation), its answers and their summaries."""
