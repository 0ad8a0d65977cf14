explain policies/us_ear_timeline.edict --shipment '{"id":"q3","date":"2025-02-10","destination":"AE","consignee":"Gulf AI","item":"nvidia-h100-sxm","quantity":500}'
