"""Demo and benchmark data.

- ``palembang``: static reference data of the Palembang demo (OPD list, the 18 kecamatan and their
  kelurahan, schools, puskesmas, Indonesian names and academic titles).
- ``loader``: ``flask portal demo`` — the realistic Palembang demo with accounts for every role.
- ``generator``: ``flask portal generate`` — bulk benchmark data of any size.
- ``bulk``: the Core bulk-insert helpers, NIP maker and reset both of them use.
"""
