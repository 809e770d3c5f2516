//! Waiting for news from the relay (`GET /v1/news`, a WebSocket), so that `diplo sync --watch`
//! syncs when something happens rather than at every turn of a clock.
//!
//! On connect the relay sends each of the device's spaces as `{"space","head","epoch"}`, then
//! one such message whenever a space moves. A space whose head or epoch is past what this
//! device has read, or that it does not know yet (it was added to it), is news. The socket is
//! blocking, over TCP or rustls (on ring, with Mozilla's roots, as the HTTP client), and closed
//! after each wait.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diplomatie_protocol::SpaceId;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

use crate::ClientError;

/// What a device has read of a space: the head of its log and its epoch.
pub(crate) type Known = BTreeMap<SpaceId, (u64, u64)>;

#[derive(serde::Deserialize)]
struct News {
    space: String,
    head: u64,
    epoch: u64,
}

trait Stream: Read + Write {
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()>;
}

impl Stream for TcpStream {
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(timeout))
    }
}

impl Stream for rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()> {
        self.sock.set_read_timeout(Some(timeout))
    }
}

fn unreachable(base: &str) -> impl Fn(std::io::Error) -> ClientError + '_ {
    move |_| ClientError::RelayUnreachable(base.to_owned())
}

/// Why the socket could not be opened: a session the relay no longer knows, or the relay out
/// of reach.
fn refused<S: Read + Write>(
    base: &str,
    e: tungstenite::HandshakeError<tungstenite::ClientHandshake<S>>,
) -> ClientError {
    match e {
        tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))
            if response.status() == 401 =>
        {
            ClientError::Relay("the relay's session ended: sync again".into())
        }
        _ => ClientError::RelayUnreachable(base.to_owned()),
    }
}

/// Connects to `base`'s news socket with the session `token`.
fn connect(
    base: &str,
    token: &str,
    timeout: Duration,
) -> Result<Box<dyn StreamSocket>, ClientError> {
    let (secure, rest) = if let Some(rest) = base.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = base.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(ClientError::Relay(format!(
            "the relay's address {base} is neither http:// nor https://"
        )));
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(authority, |(host, _)| host)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port_given = authority
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse::<u16>().ok());
    let port = port_given.unwrap_or(if secure { 443 } else { 80 });
    let address = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(unreachable(base))?
        .next()
        .ok_or_else(|| ClientError::RelayUnreachable(base.to_owned()))?;
    let tcp = TcpStream::connect_timeout(&address, timeout.min(Duration::from_secs(10)))
        .map_err(unreachable(base))?;
    let scheme = if secure { "wss" } else { "ws" };
    let mut request = format!("{scheme}://{authority}/v1/news")
        .into_client_request()
        .map_err(|e| ClientError::Relay(format!("the relay's news address: {e}")))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| ClientError::Relay("a session token that is not text".into()))?;
    request.headers_mut().insert("Authorization", bearer);
    if secure {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Relay(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(host)
            .map_err(|_| ClientError::Relay(format!("{base} names no TLS host")))?;
        let connection = rustls::ClientConnection::new(Arc::new(config), name)
            .map_err(|e| ClientError::Relay(format!("TLS: {e}")))?;
        let stream = rustls::StreamOwned::new(connection, tcp);
        stream.set_timeout(timeout).map_err(unreachable(base))?;
        let (socket, _) = tungstenite::client(request, stream).map_err(|e| refused(base, e))?;
        Ok(Box::new(socket))
    } else {
        tcp.set_timeout(timeout).map_err(unreachable(base))?;
        let (socket, _) = tungstenite::client(request, tcp).map_err(|e| refused(base, e))?;
        Ok(Box::new(socket))
    }
}

/// A WebSocket over either stream.
trait StreamSocket {
    fn read(&mut self) -> tungstenite::Result<Message>;
    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()>;
    fn close(&mut self);
}

impl<S: Stream> StreamSocket for WebSocket<S> {
    fn read(&mut self) -> tungstenite::Result<Message> {
        WebSocket::read(self)
    }

    fn set_timeout(&self, timeout: Duration) -> std::io::Result<()> {
        self.get_ref().set_timeout(timeout)
    }

    fn close(&mut self) {
        let _ = WebSocket::close(self, None);
        let _ = self.flush();
    }
}

/// Whether `news` is past what `known` says this device has read.
fn is_news(news: &News, known: &Known) -> bool {
    let Some(space) = SpaceId::from_hex(&news.space) else {
        return false;
    };
    match known.get(&space) {
        Some((head, epoch)) => news.head > *head || news.epoch > *epoch,
        None => true,
    }
}

/// Waits at most `timeout` for news of a space past `known`; `Ok(false)` when none came.
pub(crate) fn wait(
    base: &str,
    token: &str,
    known: &Known,
    timeout: Duration,
) -> Result<bool, ClientError> {
    let until = Instant::now() + timeout;
    let mut socket = connect(base, token, timeout)?;
    let found = loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break false;
        }
        if socket.set_timeout(left).is_err() {
            break false;
        }
        match socket.read() {
            Ok(Message::Text(text)) => {
                if serde_json::from_str::<News>(text.as_str()).is_ok_and(|n| is_news(&n, known)) {
                    break true;
                }
            }
            // Live frames carry envelopes: something moved.
            Ok(Message::Binary(_)) => break true,
            Ok(Message::Close(_)) => break false,
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break false;
            }
            Err(_) => return Err(ClientError::RelayUnreachable(base.to_owned())),
        }
    };
    socket.close();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_space_past_what_was_read_or_unknown_is_news_and_the_rest_is_not() {
        let space = SpaceId([7; 16]);
        let known: Known = [(space, (10, 2))].into_iter().collect();
        let news = |space: SpaceId, head, epoch| News {
            space: space.hex(),
            head,
            epoch,
        };
        assert!(!is_news(&news(space, 10, 2), &known));
        assert!(!is_news(&news(space, 9, 2), &known));
        assert!(is_news(&news(space, 11, 2), &known));
        assert!(is_news(&news(space, 10, 3), &known));
        assert!(is_news(&news(SpaceId([8; 16]), 0, 0), &known));
        let garbled = News {
            space: "not hex".into(),
            head: 99,
            epoch: 99,
        };
        assert!(!is_news(&garbled, &known));
    }
}
