"""Orders and their shipments: create, read, list, ship; the carriers' scans."""
