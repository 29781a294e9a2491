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
 * KEYS[1] job key; ARGV: ttl_ms, timeout_ms, timeout_message, the channel that hears of
 * finished jobs, then field/value pairs of the final state. Returns stored |
 * already_finished | timed_out | missing. A stored state is published (the job id only),
 * so a client waiting on the job is answered at once rather than at its next poll.
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
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'finished_at', now)
redis.call('PEXPIREAT', KEYS[1], expire_at)
redis.call('PUBLISH', ARGV[4], string.match(KEYS[1], '{([^}]+)}$'))
-- Whether anything waits on this finish beyond the channel: a webhook delivery to wake.
if redis.call('HEXISTS', KEYS[1], 'callback_url') == 1 then return 'stored_with_callback' end
return 'stored'`;

/**
 * Stores one part of a job's answer and drops rows that can no longer reach it.
 * KEYS: the job's parts hash, this part's summary, this part's rows.
 * ARGV: index, summary, rows, row count, row bytes, max rows, max bytes, expire-at
 *       (epoch ms), the rows keys' stem (`...:part:`).
 *
 * The answer is a prefix in part order, so once the parts stored from the first one on,
 * without a gap, hold as many rows as the row cap or more bytes than the byte cap, no
 * later part's rows can be in it: they are deleted, and never stored again. (A part
 * that turned a row away is no such sign: a large row may not fit where later small
 * ones still do.) A part is stored once; a redelivered chunk's is ignored. The hash
 * keeps how far that prefix is known (`end`, `rows`, `bytes`) and where it was cut
 * (`cut`), so each call costs only the parts it adds to the prefix, not a walk over all
 * of them.
 * The part's buckets (ARGV[10]) count towards the job's progress, `done` out of the
 * `total` its plan set (SET_TOTAL). Returns {done, total}.
 */
export const PUT_PART = `local parts, index, expire_at = KEYS[1], tonumber(ARGV[1]), ARGV[8]
local function progress()
  return {tonumber(redis.call('HGET', parts, 'done') or '0'), tonumber(redis.call('HGET', parts, 'total') or '0')}
end
-- Write-once: a redelivered chunk would change figures the prefix has already counted.
if redis.call('HEXISTS', parts, 'w' .. index) == 1 then return progress() end
redis.call('HINCRBY', parts, 'done', tonumber(ARGV[10]))
redis.call('SET', KEYS[2], ARGV[2])
redis.call('PEXPIREAT', KEYS[2], expire_at)
redis.call('HSET', parts, 'w' .. index, ARGV[4] .. ':' .. ARGV[5])
redis.call('PEXPIREAT', parts, expire_at)
local cut = tonumber(redis.call('HGET', parts, 'cut'))
if not cut then
  local i = tonumber(redis.call('HGET', parts, 'end') or '0')
  local rows = tonumber(redis.call('HGET', parts, 'rows') or '0')
  local bytes = tonumber(redis.call('HGET', parts, 'bytes') or '0')
  while true do
    local w = redis.call('HGET', parts, 'w' .. i)
    if not w then break end
    local r, b = string.match(w, '^(%d+):(%d+)$')
    rows, bytes, i = rows + tonumber(r), bytes + tonumber(b), i + 1
    if rows >= tonumber(ARGV[6]) or bytes > tonumber(ARGV[7]) then
      cut = i
      break
    end
  end
  redis.call('HSET', parts, 'end', i, 'rows', rows, 'bytes', bytes)
  if cut then
    redis.call('HSET', parts, 'cut', cut)
    -- Parts stored out of order, past the cut, held rows the answer cannot use.
    for j = cut, tonumber(redis.call('HGET', parts, 'count') or '0') - 1 do
      redis.call('DEL', ARGV[9] .. j .. ':rows')
    end
  end
end
if cut and index >= cut then return progress() end
redis.call('SET', KEYS[3], ARGV[3])
redis.call('PEXPIREAT', KEYS[3], expire_at)
local count = tonumber(redis.call('HGET', parts, 'count') or '0')
if index + 1 > count then redis.call('HSET', parts, 'count', index + 1) end
return progress()`;
