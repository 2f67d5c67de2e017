"""The library: categories (paths such as "Finance/Invoices") and placement suggestions the user reviews."""
