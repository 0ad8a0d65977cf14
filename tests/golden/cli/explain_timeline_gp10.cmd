explain policies/us_ear_timeline.edict --shipment '{"id":"q2","date":"2025-07-21","destination":"MY","consignee":"KL Cloud","item":"huawei-ascend-910b","quantity":200}'
