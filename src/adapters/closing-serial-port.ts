import { SerialPort } from 'serialport';

/**
 * A SerialPort whose `destroy()` closes the device. @serialport/stream 13
 * has no `_destroy`: a destroyed port kept its descriptor open and its
 * native poller waiting for "readable", which keeps the event loop alive
 * though no handle shows in `process.getActiveResourcesInfo()`, so
 * `centre receive --modem pty:…` printed "centre stopped" and never exited.
 */
export class ClosingSerialPort extends SerialPort {
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.isOpen) {
      callback(error);
      return;
    }
    this.close(() => callback(error));
  }
}
