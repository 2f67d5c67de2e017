"""One module per format family; each exports `FAMILY`. The list of them is `docmill.convert.table.FAMILY_MODULES`."""
