"""The unit of work's repositories, one module each (`uow.org` is org.py, `uow.outbox` outbox.py, …):
core records in and out, implementing the ports of core/ports.py."""
