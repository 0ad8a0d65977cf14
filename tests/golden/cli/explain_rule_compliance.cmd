explain tests/golden/inputs/rule_compliance.edict --shipment '{"id":"pending","date":"2025-03-01","destination":"IN","consignee":"C","item":"nvidia-h100-sxm","quantity":10}'
