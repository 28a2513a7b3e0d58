-- wireDeliveryLogRecord (delivery-log.ts): one attempt's entry. KEYS 1-3 and ARGV 1-4 as
-- `logEntry` reads them.
--- @include "delivery-log-entry"
logEntry(0, 0)
return 1
