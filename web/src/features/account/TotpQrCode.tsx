// The otpauth:// URI as a QR code, drawn in the browser: the secret never leaves the page, and
// the qrcode package loads only here, never with the sign-in page.
import { useEffect, useState } from "react";

export function TotpQrCode({ uri }: { uri: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    import("qrcode")
      .then((qrcode) =>
        // Black on white on purpose: authenticator apps read dark modules on a light field best.
        qrcode.toString(uri, { type: "svg", margin: 2, errorCorrectionLevel: "M", color: { dark: "#000000", light: "#ffffff" } }),
      )
      .then(
        (drawn) => live && setSvg(drawn),
        () => live && setFailed(true),
      );
    return () => {
      live = false;
    };
  }, [uri]);

  return (
    <div className="totp-qr" aria-busy={svg === null && !failed}>
      {svg && <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt="QR code to add Berth to your authenticator app" />}
      {failed && <p className="muted">The QR code could not be drawn; type the key instead.</p>}
    </div>
  );
}
