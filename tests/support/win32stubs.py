"""Just enough of pywin32 (and of ctypes' Windows-only parts) for ``xlwings._xlwindows``
to import on Linux, so xlwings' own desktop-engine code runs against a fake Excel.

With :mod:`tests.support.fakeexcel` this is the one stand-in for Excel the tests allow:
there is no Excel on Linux, and the add-in's desktop path (COM through pywin32) would
otherwise go unmeasured. It replaces only pywin32; every line of xlwings' desktop engine
(``_xlwindows.py``, ``main.py``) runs as it does on Windows.

Nothing here talks to COM: the fake object model (:mod:`fakeexcel`) stands in for the
objects pywin32 would hand back. What ``_xlwindows`` needs from each module:

=================  ==========================================================================
pywintypes         ``com_error`` (caught around calls), ``error``, ``TimeType`` (dates read
                   back), ``IID`` (is_range_instance)
pythoncom          ``CoInitialize`` (App()), ``ole_error`` (retry wrapper), ``__file__``
                   (PyDLL at import), ``DISPATCH_PROPERTYGET/PUT`` (charts only)
win32api           ``MessageBox`` (App.alert: recorded, answers "ok"), process calls (kill)
win32con           ``MB_*`` constants of App.alert
win32gui           ``FindWindowEx`` (finding Excel's window by hwnd)
win32process       ``GetWindowThreadProcessId`` (App.pid)
win32timezone      ``TimeZoneInfo.utc()`` (dates written)
win32com.client    ``CDispatch`` & co.: the retry wrapper wraps results that are instances
                   of these, so the fake objects subclass ``CDispatch``; ``Dispatch``
                   returns its argument (already a fake object)
ctypes             ``oledll``/``windll`` (absent on Linux) and ``PyDLL(pythoncom.__file__)``
                   are used at import time: replaced while ``_xlwindows`` imports
=================  ==========================================================================

``install()`` puts the stubs in ``sys.modules``; ``load()`` imports ``xlwings._xlwindows``
and registers its engine as the active one, as ``xlwings/__init__.py`` does on Windows;
``desktop()`` does that for a ``with`` block and then gives xlwings its engines back, so
tests of the remote engine never see the desktop one.
Fake Excel instances are found through ``APPS`` (hwnd -> fake Application), the way
``_xlwindows.get_xl_app_from_hwnd`` finds a real one through the window handle.
"""

from __future__ import annotations

import builtins
import ctypes
import datetime as dt
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

APPS: dict[int, object] = {}  # hwnd -> fake Excel.Application (see fakeexcel.Application)
ALERTS: list[tuple[str, str, int]] = []  # what win32api.MessageBox was asked to show


class com_error(Exception):
    """pywintypes.com_error: args are (hresult, message, excepinfo, argerror)."""

    def __init__(
        self, hresult=-2147352567, message="Exception occurred.", excepinfo=None, arg=None
    ):
        # excepinfo's scode 0x800A03EC (Excel's 1004) so the retry wrapper does not retry forever
        excepinfo = excepinfo or (0, "Microsoft Excel", message, None, 0, -2146827284)
        super().__init__(hresult, message, excepinfo, arg)

    @property
    def hresult(self):
        return self.args[0]

    @property
    def excepinfo(self):
        return self.args[2]


class _TimeType(dt.datetime):
    """pywintypes.TimeType: a datetime subclass."""


def _module(name: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    module.__stub__ = True
    return module


class CDispatch:
    """win32com.client.CDispatch: base of every fake COM object (see fakeexcel.Com)."""


class DispatchBaseClass:
    pass


class CoClassBaseClass:
    pass


def Dispatch(obj, *args, **kwargs):
    if isinstance(obj, CDispatch):
        return obj
    raise com_error(-2147221005, "Invalid class string")  # no real COM here


def DispatchEx(prog_id, *args, **kwargs):
    raise com_error(-2147221005, "Invalid class string")  # new Excel instances: none here


class _TimeZoneInfo(dt.tzinfo):
    @classmethod
    def utc(cls):
        return dt.UTC


def _find_window(parent, after, cls, title):
    return parent or 1  # any non-zero handle: "Excel's XLDESK/EXCEL7 child exists"


def _thread_process(hwnd):
    return (1, 10_000 + int(hwnd))


def _message_box(hwnd, prompt, title, style):
    ALERTS.append((prompt, title, style))
    return 1  # "ok"


class _WinDLL:
    """ctypes.windll / oledll stand-in: user32 enumerates the fake Excel windows."""

    def __getattr__(self, name):
        return _Library(name)


class _Library:
    def __init__(self, name):
        self.name = name

    def __getattr__(self, function):
        if self.name == "user32" and function == "GetTopWindow":
            return lambda _none: min(APPS) if APPS else 0
        if self.name == "user32" and function == "GetWindow":
            return lambda hwnd, _next: min((h for h in APPS if h > hwnd), default=0)
        return lambda *args: 0  # CLSIDFromString, AccessibleObjectFromWindow, SetForegroundWindow …


class _PyDLL:
    """ctypes.PyDLL(pythoncom.__file__): only PyCom_PyObjectFromIUnknown is used."""

    def __init__(self, *args, **kwargs):
        pass

    @property
    def PyCom_PyObjectFromIUnknown(self):
        return _ObjectFromIUnknown()


class _ObjectFromIUnknown:
    restype = None

    def __call__(self, ptr, iid, addref):
        # _xlwindows asks for the EXCEL7 window's object and takes its .Application.
        # Here: the fake Application of the (single or first) fake instance.
        return APPS[min(APPS)].window()


def install() -> None:
    """Put the pywin32 stand-ins into sys.modules (idempotent)."""
    if "pywintypes" in sys.modules and getattr(sys.modules["pywintypes"], "__stub__", False):
        return
    pywintypes = _module(
        "pywintypes",
        com_error=com_error,
        error=com_error,
        TimeType=_TimeType,
        IID=lambda text: text,
    )
    pythoncom = _module(
        "pythoncom",
        __file__="pythoncom-stub.so",
        CoInitialize=lambda: None,
        ole_error=com_error,
        com_error=com_error,
        DISPATCH_METHOD=1,
        DISPATCH_PROPERTYGET=2,
        DISPATCH_PROPERTYPUT=4,
        new=lambda clsid: None,
    )
    win32api = _module(
        "win32api",
        MessageBox=_message_box,
        OpenProcess=lambda *a: 0,
        TerminateProcess=lambda *a: None,
        CloseHandle=lambda *a: None,
    )
    win32con = _module(
        "win32con",
        MB_OK=0,
        MB_OKCANCEL=1,
        MB_YESNOCANCEL=3,
        MB_YESNO=4,
        MB_ICONWARNING=48,
        MB_ICONINFORMATION=64,
    )
    win32gui = _module("win32gui", FindWindowEx=_find_window)
    win32process = _module("win32process", GetWindowThreadProcessId=_thread_process)
    win32timezone = _module("win32timezone", TimeZoneInfo=_TimeZoneInfo)
    client = _module(
        "win32com.client",
        CDispatch=CDispatch,
        CoClassBaseClass=CoClassBaseClass,
        DispatchBaseClass=DispatchBaseClass,
        Dispatch=Dispatch,
        DispatchEx=DispatchEx,
        gencache=_module("win32com.client.gencache"),
    )
    win32com = _module("win32com", client=client)
    win32com.__path__ = []  # a package, so "import win32com.client" works
    for module in (
        pywintypes,
        pythoncom,
        win32api,
        win32con,
        win32gui,
        win32process,
        win32timezone,
        win32com,
        client,
    ):
        sys.modules[module.__name__] = module
    if not hasattr(builtins, "WindowsError"):
        builtins.WindowsError = OSError  # caught by name in _xlwindows


def load():
    """Import xlwings._xlwindows on top of the stubs; make its engine xlwings' active one."""
    install()
    saved = {name: getattr(ctypes, name, None) for name in ("oledll", "windll", "PyDLL")}
    ctypes.oledll, ctypes.windll, ctypes.PyDLL = _WinDLL(), _WinDLL(), _PyDLL
    try:
        import xlwings
        from xlwings import _xlwindows
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(ctypes, name)
            else:
                setattr(ctypes, name, value)
    if "excel" not in [engine.name for engine in xlwings.engines]:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlwindows.engine))
    xlwings.engines.active = xlwings.engines["excel"]
    return _xlwindows


@contextmanager
def desktop() -> Iterator[object]:
    """xlwings' desktop engine active for the block; its engines as they were afterwards."""
    import xlwings

    engines = xlwings.engines
    saved = (list(engines.engines), dict(engines.engines_by_name), engines.active)
    try:
        yield load()
    finally:
        engines.engines[:] = saved[0]
        engines.engines_by_name.clear()
        engines.engines_by_name.update(saved[1])
        engines.active = saved[2]
        APPS.clear()
        ALERTS.clear()
