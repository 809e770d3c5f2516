//! The load generator's HTTP/1.1 and WebSocket clients over tokio's TCP: the least that talks
//! to the relay (keep-alive requests with a `content-length`, unmasked server frames read
//! whole), so that the generator's core goes to the load, not to a client library.

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The most bytes of a response or frame read (a page of envelopes is at most about 8 MiB).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Reads a response's head: its status and `content-length` (0 without one).
async fn read_head(reader: &mut BufReader<TcpStream>) -> Result<(u16, usize)> {
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let mut length = 0;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            bail!("the connection closed in a response's head");
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().context("a content-length")?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                bail!("a chunked response: this client reads only content-length bodies");
            }
        }
    }
    if length > MAX_BODY {
        bail!("a response of {length} bytes");
    }
    Ok((status, length))
}

/// One keep-alive HTTP/1.1 connection, one request at a time.
#[derive(Debug)]
pub struct Http {
    reader: BufReader<TcpStream>,
    host: String,
}

impl Http {
    pub async fn connect(address: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::with_capacity(64 * 1024, stream),
            host: address.to_string(),
        })
    }

    /// Sends a request and reads its answer: status and body.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>)> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n",
            self.host,
            body.len()
        );
        if !body.is_empty() {
            head.push_str(&format!("content-type: {content_type}\r\n"));
        }
        if let Some(token) = token {
            head.push_str(&format!("authorization: Bearer {token}\r\n"));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.reader.get_mut().write_all(&request).await?;
        let (status, length) = read_head(&mut self.reader).await?;
        let mut answer = vec![0; length];
        self.reader.read_exact(&mut answer).await?;
        Ok((status, answer))
    }

    /// A JSON request whose answer must be `expect`; its body.
    pub async fn json(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        value: &impl serde::Serialize,
        expect: u16,
    ) -> Result<Vec<u8>> {
        let body = serde_json::to_vec(value)?;
        let answer = self
            .request(method, path, token, "application/json", &body)
            .await?;
        expected(method, path, answer, expect)
    }

    /// A binary request whose answer must be `expect`; its body.
    pub async fn binary(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &[u8],
        expect: u16,
    ) -> Result<Vec<u8>> {
        let answer = self
            .request(method, path, Some(token), "application/octet-stream", body)
            .await?;
        expected(method, path, answer, expect)
    }
}

/// The body of an answer whose status is `expect`; an error saying what came otherwise.
fn expected(method: &str, path: &str, answer: (u16, Vec<u8>), expect: u16) -> Result<Vec<u8>> {
    let (status, body) = answer;
    if status != expect {
        bail!(
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

/// A message a server sent on a WebSocket.
#[derive(Debug)]
pub enum Frame {
    Text(Vec<u8>),
    Binary(Vec<u8>),
    /// To answer with a pong of the same payload.
    Ping(Vec<u8>),
    Close,
}

/// A client's WebSocket, before it is split into its two ends.
#[derive(Debug)]
pub struct WebSocket {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

/// The reading end of a WebSocket.
#[derive(Debug)]
pub struct Receiver {
    reader: BufReader<OwnedReadHalf>,
}

/// The writing end of a WebSocket: each message in one masked frame. Dropping it closes the
/// connection's sending side.
#[derive(Debug)]
pub struct Sender {
    writer: OwnedWriteHalf,
    mask: u32,
}

impl WebSocket {
    /// Opens `path` (with its query) as a WebSocket, in the session `token` if any.
    pub async fn connect(address: SocketAddr, path: &str, token: Option<&str>) -> Result<Self> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (read, mut writer) = stream.into_split();
        let mut reader = BufReader::with_capacity(256 * 1024, read);
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nhost: {address}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
             sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n"
        );
        if let Some(token) = token {
            request.push_str(&format!("authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        writer.write_all(request.as_bytes()).await?;
        let mut line = String::new();
        reader.read_line(&mut line).await?;
        if !line.starts_with("HTTP/1.1 101") {
            bail!("the server refused the WebSocket: {}", line.trim_end());
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).await? == 0 || line.trim_end().is_empty() {
                break;
            }
        }
        Ok(Self { reader, writer })
    }

    /// Its two ends; `seed` varies the masks of the frames sent.
    pub fn split(self, seed: u32) -> (Receiver, Sender) {
        (
            Receiver {
                reader: self.reader,
            },
            Sender {
                writer: self.writer,
                mask: seed | 1,
            },
        )
    }
}

impl Receiver {
    /// The next message with the moment it was read, or `None` once `stop` is true.
    pub async fn next_until(
        &mut self,
        stop: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<Option<(Frame, std::time::Instant)>> {
        if *stop.borrow() {
            return Ok(None);
        }
        tokio::select! {
            frame = self.next() => Ok(Some((frame?, std::time::Instant::now()))),
            _ = stop.wait_for(|&stop| stop) => Ok(None),
        }
    }

    /// The next message (`Close` when the server closes or the connection ends).
    pub async fn next(&mut self) -> Result<Frame> {
        let mut head = [0u8; 2];
        if self.reader.read_exact(&mut head).await.is_err() {
            return Ok(Frame::Close);
        }
        let [first, second] = head;
        if first & 0x80 == 0 {
            bail!("a fragmented message: the servers send each message in one frame");
        }
        if second & 0x80 != 0 {
            bail!("a masked frame from the server");
        }
        let length = match second & 0x7f {
            126 => usize::from(self.reader.read_u16().await?),
            127 => usize::try_from(self.reader.read_u64().await?)?,
            n => usize::from(n),
        };
        if length > MAX_BODY {
            bail!("a frame of {length} bytes");
        }
        let mut payload = vec![0; length];
        self.reader.read_exact(&mut payload).await?;
        Ok(match first & 0x0f {
            1 => Frame::Text(payload),
            2 => Frame::Binary(payload),
            8 => Frame::Close,
            9 => Frame::Ping(payload),
            // A pong, or anything else: nothing to do; read on.
            _ => return Box::pin(self.next()).await,
        })
    }
}

impl Sender {
    async fn frame(&mut self, opcode: u8, payload: &[u8]) -> Result<()> {
        // xorshift: masks that vary from frame to frame, as a client's must.
        self.mask ^= self.mask << 13;
        self.mask ^= self.mask >> 17;
        self.mask ^= self.mask << 5;
        let key = self.mask.to_be_bytes();
        let mut frame = Vec::with_capacity(payload.len() + 14);
        frame.push(0x80 | opcode);
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&key);
        frame.extend(
            payload
                .iter()
                .zip(key.iter().cycle())
                .map(|(byte, mask)| byte ^ mask),
        );
        self.writer.write_all(&frame).await?;
        Ok(())
    }

    pub async fn binary(&mut self, payload: &[u8]) -> Result<()> {
        self.frame(2, payload).await
    }

    pub async fn pong(&mut self, payload: &[u8]) -> Result<()> {
        self.frame(10, payload).await
    }
}
