#!/usr/bin/python3
"""A freedesktop notification server for the end-to-end tests.

Owns org.freedesktop.Notifications on the session bus given by DBUS_SESSION_BUS_ADDRESS,
appends every Notify call to the JSON-lines file named on the command line, and, through the
extra interface fr.diplomatie.TestNotifications, lets a test click a notification (it emits
ActionInvoked from this connection, as a real server does).
Usage: notification_server.py LOG_FILE
"""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
TEST_IFACE = "fr.diplomatie.TestNotifications"


class Server(dbus.service.Object):
    def __init__(self, bus, log_path):
        super().__init__(bus, PATH)
        self.log_path = log_path
        self.next_id = 0

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, icon, summary, body, actions, hints, timeout):
        self.next_id += 1
        record = {
            "id": self.next_id,
            "app_name": str(app_name),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
            "urgency": int(hints["urgency"]) if "urgency" in hints else None,
            "category": str(hints["category"]) if "category" in hints else None,
        }
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
        return dbus.UInt32(self.next_id)

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, notification_id):
        self.NotificationClosed(notification_id, 3)

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body", "body-markup"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("diplomatie-test", "diplomatie", "1.0", "1.2")

    @dbus.service.signal(IFACE, signature="us")
    def ActionInvoked(self, notification_id, action_key):
        pass

    @dbus.service.signal(IFACE, signature="uu")
    def NotificationClosed(self, notification_id, reason):
        pass

    @dbus.service.method(TEST_IFACE, in_signature="us", out_signature="")
    def Click(self, notification_id, action_key):
        self.ActionInvoked(notification_id, action_key)


def main():
    if len(sys.argv) != 2:
        print("usage: notification_server.py LOG_FILE", file=sys.stderr)
        sys.exit(2)
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
    server = Server(bus, sys.argv[1])
    print("ready", flush=True)
    GLib.MainLoop().run()
    del name, server


if __name__ == "__main__":
    main()
