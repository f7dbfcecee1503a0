"""The Lua scripts of the Redis state: each runs as one atomic step inside Redis (no read-modify-write).

Times come from Redis's own clock (``TIME``), so hosts whose clocks drift still share one window. Lua numbers
become integers in a Redis reply: fractional values go back as strings.
"""

from __future__ import annotations

# Append a record to a bounded table: a sorted set (name -> sequence number) for the order, a hash
# (name -> JSON) for the records. The oldest entries beyond ARGV[3] are dropped from both.
# KEYS: order zset, records hash, sequence counter. ARGV: name, JSON, size.
ADD_BOUNDED = """
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
return seq
"""

# Replace a record that is still in its table (one dropped meanwhile stays dropped).
# KEYS: order zset, records hash. ARGV: name, JSON.
UPDATE_BOUNDED = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0
"""

# Newest first, at most ARGV[1] records: one round trip for the order and the records.
# KEYS: order zset, records hash.
READ_BOUNDED = """
local names = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #names == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(names))
"""

# The common head of the counter scripts: the key's window (a hash: start, calls, kb), opened anew when it
# is missing or its period is over, with an expiry a second past its end so idle keys disappear.
# ARGV[1] = period (seconds, 0 = never renews), ARGV[2] = anchor ('' = none), ARGV[3] = now ('' = Redis's clock).
_WINDOW = """
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local period = tonumber(ARGV[1])
local start = tonumber(redis.call('HGET', KEYS[1], 'start') or '')
if (not start) or (period > 0 and now >= start + period) then
  start = now
  if ARGV[2] ~= '' and period > 0 then
    local anchor = tonumber(ARGV[2])
    start = anchor + math.floor((now - anchor) / period) * period
  end
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'start', string.format('%.6f', start), 'calls', 0, 'kb', 0)
  if period > 0 then
    redis.call('PEXPIRE', KEYS[1], math.ceil((start + period - now) * 1000) + 1000)
  end
end
local left = -1
if period > 0 then left = math.max(0, start + period - now) end
"""

# Take ARGV[5] calls when the window's count stays within ARGV[4]; else count nothing.
# Returns {allowed 0/1, remaining, seconds left ('-1' = never renews)}.
TAKE = _WINDOW + """
local limit = tonumber(ARGV[4])
local amount = tonumber(ARGV[5])
local calls = tonumber(redis.call('HGET', KEYS[1], 'calls'))
if calls + amount > limit then
  return {0, math.max(0, limit - calls), string.format('%.6f', left)}
end
calls = redis.call('HINCRBY', KEYS[1], 'calls', amount)
return {1, limit - calls, string.format('%.6f', left)}
"""

# The window as {start, calls, kilobytes, seconds left ('-1' = never renews)} (opened now when there is none
# or it expired).
WINDOW = _WINDOW + """
local w = redis.call('HMGET', KEYS[1], 'start', 'calls', 'kb')
return {w[1], w[2], w[3], string.format('%.6f', left)}
"""

# Uncount ARGV[1] calls of the current window, never below 0.
GIVE_BACK = """
local calls = tonumber(redis.call('HGET', KEYS[1], 'calls') or '')
if not calls then return 0 end
local back = math.min(calls, tonumber(ARGV[1]))
return redis.call('HINCRBY', KEYS[1], 'calls', -back)
"""

# Count bandwidth in the current window (none open: nothing to count).
ADD_KILOBYTES = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBYFLOAT', KEYS[1], 'kb', ARGV[1])
end
return 0
"""
