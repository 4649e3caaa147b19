"""The Excel 台账 importer's pure rules: which row is the header, which column is which field (a synonym
table), and what one row means (amounts, dates, stages and units read as the chat reads them, each refusal
named). No file is read here — `bot/importer/` reads the sheet and carries the rows out through the use cases.
"""
