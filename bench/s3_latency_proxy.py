#!/usr/bin/env python3
"""An HTTP proxy in front of the local S3 server (bin/local-s3) that counts the requests a run sends
and can hold each one for a fixed time, the latency of an object store that is not on this machine.

    python3 bench/s3_latency_proxy.py --log requests.log [--port 9445] [--upstream 9444] [--latency-ms 20]

Point S3A at it (spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9445; bench/s3-nightly.sh does) and
every request line (method and path) is appended to the log. The local S3 server answers in ~1 ms; a
same-region S3 request takes ~10-30 ms for a small object, more for a listing, which is what
--latency-ms adds to each request before it is forwarded. Request lines are found in the client's
byte stream (several per kept-alive connection); a body that happened to hold one would be counted
too, which Parquet and JSON bodies do not.
"""
import argparse
import asyncio
import re

REQUEST = re.compile(rb'(?:^|\r\n)(GET|PUT|HEAD|POST|DELETE) (\S+) HTTP/1\.1\r\n')


async def pipe(reader, writer, log, latency):
    tail = b''
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if log is not None:
                seen = tail + data
                end, n = 0, 0
                for m in REQUEST.finditer(seen):
                    log.write(m.group(1).decode() + ' ' + m.group(2).decode(errors='replace') + '\n')
                    end, n = m.end(), n + 1
                tail = seen[max(end, len(seen) - 200):]
                if n and latency:
                    await asyncio.sleep(latency * n)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except ConnectionError:
            pass


async def main():
    p = argparse.ArgumentParser()
    p.add_argument('--log', required=True)
    p.add_argument('--port', type=int, default=9445)
    p.add_argument('--upstream', type=int, default=9444)
    p.add_argument('--latency-ms', type=float, default=0.0)
    a = p.parse_args()
    log = open(a.log, 'a', buffering=1)

    async def handle(client_reader, client_writer):
        up_reader, up_writer = await asyncio.open_connection('127.0.0.1', a.upstream)
        await asyncio.gather(pipe(client_reader, up_writer, log, a.latency_ms / 1000),
                             pipe(up_reader, client_writer, None, 0))

    server = await asyncio.start_server(handle, '127.0.0.1', a.port)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main())
