/**
 * Lua for the job store. Every transition runs inside Redis so that the check ("is it
 * still processing, is it past the worker timeout?") and the write are one atomic step,
 * judged by one clock (Redis's TIME) whichever API or worker replica asks.
 * Every write re-applies PEXPIREAT submitted_at + ttl: the key never outlives its hour.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const TIME_OUT_IF_OVERDUE = `local function time_out_if_overdue(key, now, timeout_ms, message)
  local status = redis.call('HGET', key, 'status')
  if status ~= 'processing' then return false end
  local submitted = tonumber(redis.call('HGET', key, 'submitted_at'))
  -- A corrupt record is left as it is, for the reader to report, not timed out.
  if not submitted or now - submitted <= timeout_ms then return false end
  redis.call('HSET', key, 'status', 'failed', 'error_code', 'worker_timeout', 'error_message', message, 'finished_at', now)
  return true
end`;

/** KEYS[1] job key; ARGV: ttl_ms, then field/value pairs. Returns submitted_at. */
export const CREATE = `${NOW}
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('job exists') end
redis.call('HSET', KEYS[1], 'status', 'processing', 'submitted_at', now)
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIREAT', KEYS[1], now + tonumber(ARGV[1]))
return now`;

/** KEYS[1] job key; ARGV: ttl_ms, timeout_ms, timeout_message. Returns the hash as a flat list, or nil. */
export const READ = `${NOW}
${TIME_OUT_IF_OVERDUE}
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if time_out_if_overdue(KEYS[1], now, tonumber(ARGV[2]), ARGV[3]) then
  redis.call('PEXPIREAT', KEYS[1], tonumber(redis.call('HGET', KEYS[1], 'submitted_at')) + tonumber(ARGV[1]))
end
return redis.call('HGETALL', KEYS[1])`;

/**
 * KEYS[1] job key; ARGV: ttl_ms, timeout_ms, timeout_message, then field/value pairs of
 * the final state. Returns stored | already_finished | timed_out | missing.
 */
export const FINISH = `${NOW}
${TIME_OUT_IF_OVERDUE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
local expire_at = tonumber(redis.call('HGET', KEYS[1], 'submitted_at')) + tonumber(ARGV[1])
if time_out_if_overdue(KEYS[1], now, tonumber(ARGV[2]), ARGV[3]) then
  redis.call('PEXPIREAT', KEYS[1], expire_at)
  return 'timed_out'
end
if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return 'already_finished' end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'finished_at', now)
redis.call('PEXPIREAT', KEYS[1], expire_at)
return 'stored'`;
